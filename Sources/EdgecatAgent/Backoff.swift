/// Exponential backoff between reconnects: the delay doubles from `initial` up to `maximum`
/// and returns to `initial` after a success.
struct Backoff: Sendable {
  let initial: Duration
  let maximum: Duration
  private(set) var next: Duration
  /// Failures since the last success.
  private(set) var failures = 0

  init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5)) {
    self.initial = initial
    self.maximum = maximum
    next = initial
  }

  /// Returns the delay to wait now and doubles the next one.
  mutating func nextDelay() -> Duration {
    let delay = next
    failures += 1
    next = min(maximum, next * 2)
    return delay
  }

  mutating func reset() {
    next = initial
    failures = 0
  }
}
