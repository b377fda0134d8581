/// The idle state of a server connection, which closes once it has had no calls for its idle
/// timeout. A connection that is often briefly idle keeps at most one pending timer, which
/// calls `expiry(at:)` when it fires, so going idle never adds a timer while one is pending.
/// Times are monotonic nanoseconds.
struct IdleTracker {
  let timeout: UInt64
  /// When the connection last became free of calls; nil while it has calls.
  private(set) var idleSince: UInt64?
  private(set) var isTimerPending = false

  /// The action of the pending timer when it fires.
  enum Expiry: Equatable {
    /// The connection has been idle for the whole timeout.
    case close
    /// The connection went idle again later; check again at this time.
    case checkAgain(at: UInt64)
    /// The connection has calls; going idle arms the next timer.
    case none
  }

  init(timeout: UInt64) {
    self.timeout = timeout
  }

  /// Records that the connection has no calls from `now` on and returns the time for a new
  /// timer, or nil when one is pending already.
  mutating func becameIdle(at now: UInt64) -> UInt64? {
    idleSince = now
    guard !isTimerPending else { return nil }
    isTimerPending = true
    return now + timeout
  }

  /// Records that a call began.
  mutating func becameBusy() {
    idleSince = nil
  }

  /// Returns the action of the pending timer that fires at `now`.
  mutating func expiry(at now: UInt64) -> Expiry {
    guard let since = idleSince else {
      isTimerPending = false
      return .none
    }
    let due = since + timeout
    guard now < due else {
      isTimerPending = false
      return .close
    }
    return .checkAgain(at: due)
  }
}
