import Synchronization

/// Objects read recently, by full name, so that reads behind a policy check skip SQLite.
/// Every write invalidates the names it touched after it commits and bumps a generation. A
/// read stores what it read only when no invalidation happened since its lookup, so a read
/// that raced with a write cannot bring back the old row. Thread-safe.
final class ObjectCache: Sendable {
  private struct State {
    var entries: [String: CatalogObject] = [:]
    var generation: UInt64 = 0
  }

  /// Entries kept at most; a full cache starts over, as the policy client's cache does.
  static let capacity = 10_000

  private let state = Mutex(State())

  /// Returns the cached object, if any, and the generation a miss must pass to `store`.
  func lookup(_ fullName: String) -> (object: CatalogObject?, generation: UInt64) {
    state.withLock { ($0.entries[fullName], $0.generation) }
  }

  func store(_ object: CatalogObject, readAt generation: UInt64) {
    state.withLock { state in
      guard state.generation == generation else { return }
      if state.entries.count >= Self.capacity { state.entries.removeAll(keepingCapacity: true) }
      state.entries[object.fullName] = object
    }
  }

  func invalidate(_ names: [String]) {
    state.withLock { state in
      state.generation &+= 1
      for name in names { state.entries[name] = nil }
    }
  }
}
