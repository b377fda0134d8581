import EdgecatPolicy
import EdgecatTestSupport
import Testing

@Suite("Decision log")
struct DecisionLogTests {
  /// Options that never flush or prune on a timer, so each test controls when rows appear.
  static let manual = DecisionLogOptions(
    flushInterval: .seconds(3600), batchSize: 1000, pruneInterval: .seconds(3600))

  private func makeEngine(
    _ directory: TemporaryDirectory, clock: TestClock = TestClock(),
    options: DecisionLogOptions = manual
  ) async throws -> PolicyEngine {
    let engine = try await openEngine(directory, clock: clock, decisionLog: options)
    try await engine.register(.catalog, "main")
    try await engine.register(.catalog, "staging")
    try await engine.user("alice")
    try await engine.grant([.useCatalog], on: "main", to: "alice", context: admin)
    return engine
  }

  private func decide(
    _ engine: PolicyEngine, _ principal: String = "alice", on securable: String = "main"
  ) throws -> Decision {
    try engine.check(
      CheckRequest(principal: principal, privilege: .useCatalog, securable: securable))
  }

  private func logged(_ engine: PolicyEngine, _ filter: DecisionFilter = DecisionFilter())
    async throws -> [LoggedDecision]
  {
    try await engine.listDecisions(filter).decisions
  }

  @Test("logged decision keeps its fields")
  func fieldsKept() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let clock = TestClock()
    let engine = try await makeEngine(directory, clock: clock)
    defer { engine.close() }
    let decision = try decide(engine)
    engine.logDecision(decision, caller: "service:catalog", requestID: "req-1")
    try await engine.flushDecisionLog()
    let row = try #require(try await logged(engine).first)
    #expect(row.id == decision.id)
    #expect(row.time == clock.time)
    #expect(row.principal == "alice")
    #expect(row.privilege == "USE_CATALOG")
    #expect(row.securable == "main")
    #expect(row.allowed)
    #expect(row.reason == decision.reason)
    #expect(row.caller == "service:catalog")
    #expect(row.requestID == "req-1")
    #expect(row.revision == decision.revision)
  }

  @Test("decision ids count up in hex")
  func idsInHex() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await makeEngine(directory)
    defer { engine.close() }
    // Enough decisions for the serial to pass from one hex digit to two.
    let ids = try (0..<20).map { _ in try decide(engine).id }
    let serials = ids.map { id in UInt64(id.split(separator: "-").last ?? "", radix: 16) }
    for (index, id) in ids.enumerated() {
      let serial = try #require(serials[index])
      #expect(id.hasPrefix("dec-"))
      #expect(id.hasSuffix("-" + String(serial, radix: 16)))
      if index > 0 { #expect(serials[index - 1].map { $0 + 1 } == serial) }
    }
  }

  @Test("flush over several multi-row inserts")
  func multiRowInserts() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await makeEngine(directory)
    defer { engine.close() }
    // Two full multi-row inserts and a remainder written one row at a time, with some reasons
    // passed along and the others built by the log.
    let count = 2 * 64 + 22
    var decisions: [Decision] = []
    for index in 0..<count {
      let decision = try decide(engine, on: index % 2 == 0 ? "main" : "staging")
      decisions.append(decision)
      engine.logDecision(
        decision, reason: index % 3 == 0 ? decision.reason : nil, caller: adminName,
        requestID: "r\(index)")
    }
    try await engine.flushDecisionLog()

    let rows = try await logged(engine, DecisionFilter(pageSize: 1000))
    #expect(rows.count == count)
    #expect(rows.map(\.id) == decisions.map(\.id).reversed())
    #expect(rows.map(\.requestID) == (0..<count).map { "r\($0)" }.reversed())
    #expect(rows.map(\.reason) == decisions.map(\.reason).reversed())
    #expect(rows.map(\.allowed) == decisions.map(\.allowed).reversed())
    #expect(rows.map(\.securable) == decisions.map(\.securable).reversed())
  }

  @Test("reasons passed with decisions are logged")
  func reasonsPassed() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await makeEngine(directory)
    defer { engine.close() }
    let allowed = try decide(engine)
    let denied = try decide(engine, on: "staging")
    engine.logDecision(allowed, reason: allowed.reason, caller: adminName, requestID: "one")
    engine.logDecisions(
      [denied, allowed], reasons: [denied.reason, allowed.reason], caller: adminName,
      requestID: "batch")
    try await engine.flushDecisionLog()

    let rows = try await logged(engine)
    #expect(rows.map(\.reason) == [allowed.reason, denied.reason, allowed.reason])
    #expect(rows.map(\.allowed) == [true, false, true])
  }

  @Test("queue below batch size waits for a flush")
  func belowBatchSize() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await makeEngine(directory)
    defer { engine.close() }
    let decisions = try (0..<3).map { _ in try decide(engine) }
    engine.logDecisions(decisions, caller: adminName, requestID: "batch")
    #expect(try await logged(engine).isEmpty)
    try await engine.flushDecisionLog()
    #expect(try await logged(engine).count == 3)
  }

  @Test("full batch is written without a flush")
  func fullBatch() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let options = DecisionLogOptions(
      flushInterval: .seconds(3600), batchSize: 5, pruneInterval: .seconds(3600))
    let engine = try await makeEngine(directory, options: options)
    defer { engine.close() }
    for index in 0..<5 {
      engine.logDecision(try decide(engine), caller: adminName, requestID: "r\(index)")
    }
    try await waitUntil { try await logged(engine).count == 5 }
  }

  @Test("timer writes the queue")
  func timerFlush() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let options = DecisionLogOptions(
      flushInterval: .milliseconds(20), batchSize: 1000, pruneInterval: .seconds(3600))
    let engine = try await makeEngine(directory, options: options)
    defer { engine.close() }
    engine.logDecision(try decide(engine), caller: adminName, requestID: "timer")
    try await waitUntil { try await logged(engine).count == 1 }
  }

  @Test("close writes the queue")
  func closeFlushes() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await makeEngine(directory)
    let decisions = try (0..<4).map { _ in try decide(engine) }
    engine.logDecisions(decisions, caller: adminName, requestID: "close")
    engine.close()

    let reopened = try await PolicyEngine.open(path: directory.file("policy.db"))
    defer { reopened.close() }
    #expect(try await logged(reopened).map(\.id) == decisions.map(\.id).reversed())
  }

  @Test("queue beyond capacity drops decisions")
  func capacity() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let options = DecisionLogOptions(
      flushInterval: .seconds(3600), batchSize: 2, pruneInterval: .seconds(3600),
      queueCapacity: 2)
    let engine = try await makeEngine(directory, options: options)
    defer { engine.close() }
    let decisions = try (0..<5).map { _ in try decide(engine) }
    engine.logDecisions(decisions, caller: adminName, requestID: "burst")
    try await engine.flushDecisionLog()
    #expect(try await logged(engine).count == 2)
  }

  @Test("prune deletes entries past retention")
  func prune() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let clock = TestClock()
    let engine = try await makeEngine(directory, clock: clock)
    defer { engine.close() }
    engine.logDecision(try decide(engine), caller: adminName, requestID: "old")
    try await engine.flushDecisionLog()
    clock.advance(by: 29 * 86_400)
    engine.logDecision(try decide(engine), caller: adminName, requestID: "new")
    try await engine.flushDecisionLog()
    #expect(try await engine.pruneDecisionLog() == 0)

    clock.advance(by: 2 * 86_400)
    #expect(try await engine.pruneDecisionLog() == 1)
    #expect(try await logged(engine).map(\.requestID) == ["new"])
  }

  @Test("timer prunes with the retention setting")
  func timerPrune() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let clock = TestClock()
    let options = DecisionLogOptions(
      retentionDays: 2, flushInterval: .milliseconds(20), pruneInterval: .milliseconds(20))
    let engine = try await makeEngine(directory, clock: clock, options: options)
    defer { engine.close() }
    engine.logDecision(try decide(engine), caller: adminName, requestID: "old")
    try await engine.flushDecisionLog()
    clock.advance(by: 3 * 86_400)
    try await waitUntil { try await logged(engine).isEmpty }
  }
}
