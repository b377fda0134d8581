import EdgecatProto
import Synchronization

public typealias ModelAssignment = Edgecat_Agent_V1_ModelAssignment

/// The current model assignment and the WatchModel streams that follow it: each subscriber
/// gets the current assignment at once and then every newer one, skipping to the newest when
/// it reads slower than they change. Thread-safe.
public final class AssignmentBroadcaster: Sendable {
  private struct State {
    var current = ModelAssignment()
    var subscribers: [Int: AsyncStream<ModelAssignment>.Continuation] = [:]
    var nextID = 0
  }

  private let state = Mutex(State())

  public init() {}

  public var current: ModelAssignment { state.withLock { $0.current } }

  /// Makes `assignment` current and sends it to every subscriber.
  func publish(_ assignment: ModelAssignment) {
    let subscribers = state.withLock { state in
      state.current = assignment
      return Array(state.subscribers.values)
    }
    for subscriber in subscribers { subscriber.yield(assignment) }
  }

  /// Returns a stream that starts with the current assignment. It ends when the caller's
  /// task stops iterating it or `finishAll` runs.
  func subscribe() -> AsyncStream<ModelAssignment> {
    let (stream, continuation) = AsyncStream.makeStream(
      of: ModelAssignment.self, bufferingPolicy: .bufferingNewest(1))
    let id = state.withLock { state in
      let id = state.nextID
      state.nextID += 1
      state.subscribers[id] = continuation
      continuation.yield(state.current)
      return id
    }
    continuation.onTermination = { [weak self] _ in
      _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
    }
    return stream
  }

  /// The number of open subscriptions.
  public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

  /// Ends every subscription, as the agent does when it stops.
  func finishAll() {
    let subscribers = state.withLock { state in
      defer { state.subscribers = [:] }
      return Array(state.subscribers.values)
    }
    for subscriber in subscribers { subscriber.finish() }
  }
}
