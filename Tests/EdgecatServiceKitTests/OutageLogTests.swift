import Synchronization
import Testing

@testable import EdgecatServiceKit

/// The log lines of an outage: its first failure, one per interval with the failures not
/// logged, and its end at the next success.
@Suite("Outage log")
struct OutageLogTests {
  /// A clock that tests move by hand.
  final class ManualClock: Sendable {
    private let start = ContinuousClock.now
    private let offset = Mutex<Duration>(.zero)

    var now: ContinuousClock.Instant { start + offset.withLock { $0 } }

    func advance(_ duration: Duration) { offset.withLock { $0 += duration } }
  }

  @Test("first failure is logged")
  func firstFailureLogged() {
    let clock = ManualClock()
    let log = OutageLog(interval: .seconds(10), now: { clock.now })
    #expect(log.failed() == 0)
  }

  @Test("failures within the interval are counted")
  func failuresCounted() {
    let clock = ManualClock()
    let log = OutageLog(interval: .seconds(10), now: { clock.now })
    #expect(log.failed() == 0)
    for _ in 0..<5 {
      clock.advance(.seconds(1))
      #expect(log.failed() == nil)
    }
    clock.advance(.seconds(6))
    #expect(log.failed() == 5)
    #expect(log.failed() == nil)
  }

  @Test("success ends the outage")
  func successEndsOutage() {
    let clock = ManualClock()
    let log = OutageLog(interval: .seconds(10), now: { clock.now })
    #expect(log.succeeded() == nil)
    _ = log.failed()
    _ = log.failed()
    _ = log.failed()
    #expect(log.succeeded() == 3)
    #expect(log.succeeded() == nil)
    // The next outage is logged from its first failure again, even within the interval.
    clock.advance(.seconds(1))
    #expect(log.failed() == 0)
  }
}
