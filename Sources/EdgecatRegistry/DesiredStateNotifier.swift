import Synchronization

/// The reason a desired-state watcher wakes up.
public enum DesiredStateSignal: Sendable {
  /// The device's desired state changed.
  case changed
  /// A caller asked for the current state to be sent again.
  case resend
  /// The watcher's own timer, so it can check whether to stop.
  case tick
}

/// The open desired-state watches, by device, which the engine wakes after each commit that
/// changes a device's desired state. Thread-safe.
public final class DesiredStateNotifier: Sendable {
  private struct State {
    var next = 0
    var watchers: [String: [Int: AsyncStream<DesiredStateSignal>.Continuation]] = [:]
  }

  private let state = Mutex(State())

  public init() {}

  /// Returns the signals for one device's watch. The watch ends when the stream's consumer
  /// stops iterating.
  public func subscribe(_ deviceID: String) -> DesiredStateSubscription {
    let (stream, continuation) = AsyncStream.makeStream(
      of: DesiredStateSignal.self, bufferingPolicy: .bufferingNewest(8))
    let id = state.withLock { state in
      state.next += 1
      state.watchers[deviceID, default: [:]][state.next] = continuation
      return state.next
    }
    continuation.onTermination = { [weak self] _ in
      self?.state.withLock { state in
        state.watchers[deviceID]?.removeValue(forKey: id)
        if state.watchers[deviceID]?.isEmpty == true { state.watchers[deviceID] = nil }
      }
    }
    return DesiredStateSubscription(signals: stream, continuation: continuation)
  }

  /// Wakes the watchers of each device in `deviceIDs`.
  public func changed(_ deviceIDs: some Sequence<String>) {
    signal(deviceIDs, .changed)
  }

  /// Asks the watchers of each device to send its state again, and returns the devices that
  /// have at least one watcher.
  public func resend(_ deviceIDs: some Sequence<String>) -> [String] {
    signal(deviceIDs, .resend)
  }

  @discardableResult
  private func signal(_ deviceIDs: some Sequence<String>, _ signal: DesiredStateSignal)
    -> [String]
  {
    var reached: [String] = []
    let targets = state.withLock { state in
      deviceIDs.compactMap { id -> [AsyncStream<DesiredStateSignal>.Continuation]? in
        guard let watchers = state.watchers[id], !watchers.isEmpty else { return nil }
        reached.append(id)
        return Array(watchers.values)
      }
    }
    for continuation in targets.joined() { continuation.yield(signal) }
    return reached
  }
}

/// One watch of a device's desired state.
public struct DesiredStateSubscription: Sendable {
  public let signals: AsyncStream<DesiredStateSignal>
  let continuation: AsyncStream<DesiredStateSignal>.Continuation

  /// Wakes this watch with `.tick`.
  public func tick() { continuation.yield(.tick) }

  /// Ends the signal stream.
  public func finish() { continuation.finish() }
}
