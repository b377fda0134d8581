import Testing

@testable import EdgecatRPC

@Suite("Timer queue")
struct TimerQueueTests {
  @Test("cancelled timers leave the heap")
  func cancelledTimersRemoved() {
    var queue = TimerQueue()
    var ids: [TimerQueue.ID] = []
    for index in 0..<10_000 {
      ids.append(queue.add(deadline: UInt64(1_000_000 + index)) {})
    }
    for id in ids.dropLast() { queue.cancel(id) }
    #expect(queue.count < 200)
  }

  @Test("live timers run in deadline order")
  func liveTimersInOrder() {
    var queue = TimerQueue()
    var fired: [Int] = []
    var cancelled: [TimerQueue.ID] = []
    for index in 0..<300 {
      let deadline = UInt64(1_000 + (index * 7919) % 300)
      let id = queue.add(deadline: deadline) { fired.append(Int(deadline)) }
      if index % 3 != 0 { cancelled.append(id) }
    }
    for id in cancelled { queue.cancel(id) }
    while let work = queue.popExpired(now: 10_000) { work() }
    #expect(fired.count == 100)
    #expect(fired == fired.sorted())
  }

  @Test("cancel after the timer ran")
  func cancelAfterRun() {
    var queue = TimerQueue()
    for round in 0..<1_000 {
      let id = queue.add(deadline: UInt64(round)) {}
      while let work = queue.popExpired(now: UInt64(round)) { work() }
      queue.cancel(id)
    }
    _ = queue.add(deadline: 5_000) {}
    #expect(queue.count == 1)
    #expect(queue.millisecondsUntilNext(now: 0) > 0)
  }

  @Test("cancel the earliest timer after a look-up")
  func cancelEarliestAfterLookUp() {
    var queue = TimerQueue()
    var fired: [String] = []
    let first = queue.add(deadline: 2_000_000) { fired.append("first") }
    _ = queue.add(deadline: 5_000_000) { fired.append("second") }
    #expect(queue.millisecondsUntilNext(now: 0) == 2)
    #expect(queue.popExpired(now: 1_000_000) == nil)

    queue.cancel(first)
    #expect(queue.millisecondsUntilNext(now: 0) == 5)
    while let work = queue.popExpired(now: 10_000_000) { work() }
    #expect(fired == ["second"])
  }
}
