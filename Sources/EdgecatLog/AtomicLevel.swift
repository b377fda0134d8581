import Synchronization

/// The process-wide minimum log level, stored as `LogLevel.rawValue`.
let globalLevel = AtomicLevel(Int32(LogLevel.info.rawValue))

final class AtomicLevel: Sendable {
  private let value: Atomic<Int32>

  init(_ initial: Int32) { value = Atomic(initial) }

  func load() -> Int32 { value.load(ordering: .relaxed) }

  func store(_ newValue: Int32) { value.store(newValue, ordering: .relaxed) }
}
