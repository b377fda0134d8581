import Testing

@testable import EdgecatAgent

@Suite("Quarantine log lines")
struct QuarantineLogTests {
  let start = ContinuousClock.now
  let interval = Duration.seconds(10)

  @Test("first entry is logged")
  func firstLogged() {
    var log = QuarantineLog()
    #expect(log.record(at: start, interval: interval) == .log(leftOut: 0))
  }

  @Test("entries within interval left out")
  func leftOutWithinInterval() {
    var log = QuarantineLog()
    _ = log.record(at: start, interval: interval)
    let second = log.record(at: start + .seconds(1), interval: interval)
    let third = log.record(at: start + .seconds(2), interval: interval)
    #expect(second == .leaveOut(summaryTime: start + interval))
    // The summary is scheduled once.
    #expect(third == .leaveOut(summaryTime: nil))
  }

  @Test("summary reports entries left out")
  func summaryReports() {
    var log = QuarantineLog()
    _ = log.record(at: start, interval: interval)
    _ = log.record(at: start + .seconds(1), interval: interval)
    _ = log.record(at: start + .seconds(2), interval: interval)
    #expect(log.takeSummary(at: start + interval) == 2)
    #expect(log.takeSummary(at: start + interval) == nil)
  }

  @Test("later line takes over summary")
  func laterLineFirst() {
    var log = QuarantineLog()
    _ = log.record(at: start, interval: interval)
    _ = log.record(at: start + .seconds(1), interval: interval)
    #expect(log.record(at: start + .seconds(11), interval: interval) == .log(leftOut: 1))
    #expect(log.takeSummary(at: start + .seconds(12)) == nil)
  }

  @Test("summary restarts the interval")
  func summaryRestartsInterval() {
    var log = QuarantineLog()
    _ = log.record(at: start, interval: interval)
    _ = log.record(at: start + .seconds(1), interval: interval)
    _ = log.takeSummary(at: start + interval)
    let next = log.record(at: start + .seconds(12), interval: interval)
    #expect(next == .leaveOut(summaryTime: start + interval + interval))
  }
}
