import Synchronization

/// The subscribers of the policy Watch stream and what each has acknowledged. A write returns
/// only after every subscriber acknowledged its revision, or after that subscriber heard nothing
/// from the server for its lease plus a margin, at which point its cache has expired by itself.
/// Thread-safe.
final class WatchHub: Sendable {
  private struct Subscriber {
    var acknowledged: UInt64
    var sent: UInt64
    var lastMessage: ContinuousClock.Instant
    let wake: AsyncStream<Void>.Continuation
  }

  private let subscribers = Mutex<[UInt64: Subscriber]>([:])
  private let nextID = Atomic<UInt64>(1)
  /// How long a subscriber may use its cache after the last message it got.
  let lease: Duration
  /// Extra wait beyond the lease, for clock and scheduling differences.
  let margin: Duration

  /// Creates a hub. The margin covers the time a message spends between this service's writer
  /// and the subscriber's cache on a loaded machine, so 1 s is generous for loopback and a LAN.
  init(lease: Duration = .milliseconds(300), margin: Duration = .seconds(1)) {
    self.lease = lease
    self.margin = margin
  }

  /// Registers a subscriber that has applied everything up to `revision`.
  func subscribe(at revision: UInt64) -> (id: UInt64, wake: AsyncStream<Void>) {
    let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
    let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    subscribers.withLock {
      $0[id] = Subscriber(
        acknowledged: revision, sent: revision, lastMessage: .now, wake: continuation)
    }
    return (id, stream)
  }

  func unsubscribe(_ id: UInt64) {
    let removed = subscribers.withLock { $0.removeValue(forKey: id) }
    removed?.wake.finish()
  }

  func acknowledge(_ id: UInt64, revision: UInt64) {
    subscribers.withLock { subscribers in
      guard var subscriber = subscribers[id] else { return }
      subscriber.acknowledged = max(subscriber.acknowledged, revision)
      subscribers[id] = subscriber
    }
  }

  /// Records a message sent to a subscriber; `revision` is the change it carried, if any.
  func sent(to id: UInt64, revision: UInt64?) {
    subscribers.withLock { subscribers in
      guard var subscriber = subscribers[id] else { return }
      subscriber.lastMessage = .now
      if let revision { subscriber.sent = max(subscriber.sent, revision) }
      subscribers[id] = subscriber
    }
  }

  /// Returns whether a subscriber has a change it has not acknowledged. Such a subscriber gets
  /// no heartbeats, so that its lease runs out.
  func isAwaitingAcknowledgement(_ id: UInt64) -> Bool {
    subscribers.withLock { subscribers in
      guard let subscriber = subscribers[id] else { return false }
      return subscriber.acknowledged < subscriber.sent
    }
  }

  /// Wakes one subscriber's stream, for its heartbeat timer.
  func nudge(_ id: UInt64) {
    let wake = subscribers.withLock { $0[id]?.wake }
    wake?.yield()
  }

  /// Wakes every subscriber's stream to send what changed.
  func publish() {
    let wakes = subscribers.withLock { $0.values.map(\.wake) }
    for wake in wakes { wake.yield() }
  }

  /// Waits until every subscriber acknowledged `revision` or its lease plus the margin passed
  /// since the last message sent to it.
  func waitForAcknowledgements(of revision: UInt64) async {
    publish()
    while true {
      let now = ContinuousClock.now
      let waiting = subscribers.withLock { subscribers in
        subscribers.values.contains { subscriber in
          subscriber.acknowledged < revision && now - subscriber.lastMessage < lease + margin
        }
      }
      if !waiting { return }
      try? await Task.sleep(for: .milliseconds(2))
    }
  }

  var subscriberCount: Int { subscribers.withLock { $0.count } }
}
