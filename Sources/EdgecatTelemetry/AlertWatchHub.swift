import EdgecatProto
import Synchronization

/// The open alert watches. A watch that is still sending stored transitions queues new ones
/// until it has caught up, then gets each new one once, in id order. Thread-safe.
final class AlertWatchHub: Sendable {
  private struct Watcher {
    let continuation: AsyncStream<AlertTransition>.Continuation
    var replaying: Bool
    var queued: [AlertTransition] = []
    /// The id of the last transition sent.
    var lastSent: Int64
  }

  private struct State {
    var next = 0
    var watchers: [Int: Watcher] = [:]
  }

  private let state = Mutex(State())

  /// Adds a watch that has sent everything up to `lastSent`, and returns its key.
  func add(
    _ continuation: AsyncStream<AlertTransition>.Continuation, replaying: Bool, lastSent: Int64
  ) -> Int {
    state.withLock { state in
      state.next += 1
      state.watchers[state.next] = Watcher(
        continuation: continuation, replaying: replaying, lastSent: lastSent)
      return state.next
    }
  }

  func remove(_ key: Int) {
    _ = state.withLock { $0.watchers.removeValue(forKey: key) }
  }

  /// Sends `transitions`, in id order, to every watch that has caught up and queues them for
  /// the others. Yielding under the lock keeps each watch in id order.
  func publish(_ transitions: [AlertTransition]) {
    guard !transitions.isEmpty else { return }
    state.withLock { state in
      for key in state.watchers.keys {
        if state.watchers[key]!.replaying {
          state.watchers[key]!.queued.append(contentsOf: transitions)
        } else {
          Self.send(transitions, to: &state.watchers[key]!)
        }
      }
    }
  }

  /// Ends the replay of a watch that has sent the stored transitions up to `lastSent`: sends
  /// what was queued after that and switches it to new transitions.
  func finishReplay(_ key: Int, lastSent: Int64) {
    state.withLock { state in
      guard var watcher = state.watchers[key] else { return }
      watcher.lastSent = max(watcher.lastSent, lastSent)
      watcher.replaying = false
      Self.send(watcher.queued, to: &watcher)
      watcher.queued = []
      state.watchers[key] = watcher
    }
  }

  /// Ends every watch, for a service that is stopping.
  func finishAll() {
    let continuations = state.withLock { state in
      defer { state.watchers = [:] }
      return state.watchers.values.map(\.continuation)
    }
    for continuation in continuations { continuation.finish() }
  }

  private static func send(_ transitions: [AlertTransition], to watcher: inout Watcher) {
    for transition in transitions where transition.transitionID > watcher.lastSent {
      watcher.continuation.yield(transition)
      watcher.lastSent = transition.transitionID
    }
  }
}
