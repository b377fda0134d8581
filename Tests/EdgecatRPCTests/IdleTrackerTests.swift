import Testing

@testable import EdgecatRPC

@Suite("Idle tracker")
struct IdleTrackerTests {
  @Test("idle for the whole timeout closes")
  func idleCloses() {
    var tracker = IdleTracker(timeout: 100)
    #expect(tracker.becameIdle(at: 10) == 110)
    #expect(tracker.expiry(at: 110) == .close)
    #expect(!tracker.isTimerPending)
  }

  @Test("going idle again keeps one timer")
  func oneTimer() {
    var tracker = IdleTracker(timeout: 100)
    #expect(tracker.becameIdle(at: 0) == 100)
    for time in stride(from: UInt64(5), to: 95, by: 5) {
      tracker.becameBusy()
      #expect(tracker.becameIdle(at: time) == nil)
    }
    #expect(tracker.expiry(at: 100) == .checkAgain(at: 190))
    #expect(tracker.expiry(at: 190) == .close)
  }

  @Test("busy when the timer fires")
  func busyAtExpiry() {
    var tracker = IdleTracker(timeout: 100)
    _ = tracker.becameIdle(at: 0)
    tracker.becameBusy()
    #expect(tracker.expiry(at: 100) == .none)
    #expect(!tracker.isTimerPending)
    #expect(tracker.becameIdle(at: 150) == 250)
  }
}
