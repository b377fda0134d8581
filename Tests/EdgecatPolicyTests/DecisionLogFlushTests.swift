import EdgecatTestSupport
import Synchronization
import Testing

@testable import EdgecatPolicy

/// Tests of the decision log's flush, which ListDecisions calls before it reads. A flush
/// returns only after every decision queued before it is committed, including those an earlier
/// flush took from the queue and has not committed yet.
@Suite("Decision log flush")
struct DecisionLogFlushTests {
  @Test("flush waits for a flush in flight")
  func flushWaitsForFlushInFlight() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory, decisionLog: DecisionLogTests.manual)
    defer { engine.close() }
    try await engine.register(.catalog, "main")
    try await engine.user("alice")
    let decision = try engine.check(
      CheckRequest(principal: "alice", privilege: .useCatalog, securable: "main"))

    let first = try await WriterBlocker.start(engine.store)
    engine.logDecision(decision, caller: "service:catalog", requestID: "request-1")
    // This flush's write waits behind `first`. `second` is queued after it, so that the
    // writer runs both in one commit: the flush takes the queue, then `second` keeps the
    // commit open.
    let inFlight = Task { try await engine.flushDecisionLog() }
    try await Task.sleep(for: .milliseconds(50))
    let second = WriterBlocker.enqueue(engine.store)
    try await Task.sleep(for: .milliseconds(50))
    try await first.release()
    try await second.waitUntilStarted()

    let released = Atomic<Bool>(false)
    let listing = Task { () -> Bool in
      try await engine.flushDecisionLog()
      return released.load(ordering: .acquiring)
    }
    try await Task.sleep(for: .milliseconds(50))
    released.store(true, ordering: .releasing)
    try await second.release()
    #expect(try await listing.value, "the flush returned before the writer committed")
    let ids = try await engine.listDecisions(DecisionFilter()).decisions.map(\.id)
    #expect(ids == [decision.id])
    try await inFlight.value
  }
}
