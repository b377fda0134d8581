import EdgecatProto
import Synchronization

/// An event of the policy service's Watch stream, as `PolicyClient.changes()` delivers it.
public enum PolicyStreamEvent: Sendable {
  /// A new Watch stream delivered its first message. Changes made while no stream was open
  /// are never delivered, so a subscriber that must see every change resynchronises here.
  case connected
  /// One change, delivered after the client dropped its cached results.
  case change(Edgecat_Policy_V1_PolicyChange)
}

/// The open `changes()` streams of one client. Thread-safe.
final class PolicySubscribers: Sendable {
  private struct State {
    var next = 0
    var continuations: [Int: AsyncStream<PolicyStreamEvent>.Continuation] = [:]
  }

  private let state = Mutex(State())

  func add(_ continuation: AsyncStream<PolicyStreamEvent>.Continuation) {
    let id = state.withLock { state in
      state.next += 1
      state.continuations[state.next] = continuation
      return state.next
    }
    continuation.onTermination = { [weak self] _ in
      self?.state.withLock { _ = $0.continuations.removeValue(forKey: id) }
    }
  }

  func publish(_ event: PolicyStreamEvent) {
    let continuations = state.withLock { Array($0.continuations.values) }
    for continuation in continuations { continuation.yield(event) }
  }

  func finishAll() {
    let continuations = state.withLock { Array($0.continuations.values) }
    for continuation in continuations { continuation.finish() }
  }
}

extension PolicyClient {
  /// Returns a stream of the Watch stream's events from now on, for services that act on
  /// policy changes, such as a registry deleting the versions of a dropped model. Events
  /// arrive only while `startWatching` follows the stream, and the stream ends at `close`.
  /// Events are buffered without limit, so consume them promptly.
  public func changes() -> AsyncStream<PolicyStreamEvent> {
    let (stream, continuation) = AsyncStream.makeStream(of: PolicyStreamEvent.self)
    subscribers.add(continuation)
    return stream
  }
}
