import Synchronization

/// Decides which failed calls to a service get a log line: the first of an outage, then one per
/// `interval` with the count of those not logged, so that an outage under load does not write
/// a line per call. After a failure, the next successful call ends the outage. Thread-safe.
final class OutageLog: Sendable {
  private struct State {
    var failures = 0
    var notLogged = 0
    var lastLogged: ContinuousClock.Instant?
  }

  private let interval: Duration
  private let now: @Sendable () -> ContinuousClock.Instant
  private let state = Mutex(State())
  /// True between a failure and the next success, read without the lock on every success.
  private let isFailing = Atomic<Bool>(false)

  init(
    interval: Duration = .seconds(10),
    now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
  ) {
    self.interval = interval
    self.now = now
  }

  /// Records a failed call. Returns the number of failed calls not logged since the last
  /// line when this one is to be logged, or nil when it is not.
  func failed() -> Int? {
    let time = now()
    isFailing.store(true, ordering: .relaxed)
    return state.withLock { state -> Int? in
      state.failures += 1
      if let last = state.lastLogged, time - last < interval {
        state.notLogged += 1
        return nil
      }
      let notLogged = state.notLogged
      state.notLogged = 0
      state.lastLogged = time
      return notLogged
    }
  }

  /// Records a successful call. Returns the number of failed calls of the outage it ends, or
  /// nil when no outage was going on.
  func succeeded() -> Int? {
    guard isFailing.load(ordering: .relaxed) else { return nil }
    return state.withLock { state -> Int? in
      guard state.failures > 0 else { return nil }
      isFailing.store(false, ordering: .relaxed)
      defer { state = State() }
      return state.failures
    }
  }
}
