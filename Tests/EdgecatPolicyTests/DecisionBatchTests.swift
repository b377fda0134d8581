import EdgecatCore
import EdgecatPolicy
import EdgecatStore
import EdgecatTestSupport
import Testing

@Suite("Decision log batches")
struct DecisionBatchTests {
  private func makeEngine(_ directory: TemporaryDirectory, clock: TestClock) async throws
    -> PolicyEngine
  {
    let engine = try await openEngine(
      directory, clock: clock, decisionLog: DecisionLogTests.manual)
    try await engine.register(.catalog, "main")
    try await engine.register(.catalog, "staging")
    try await engine.user("alice")
    try await engine.user("bob")
    try await engine.grant([.useCatalog], on: "main", to: "alice", context: admin)
    return engine
  }

  private func decide(_ engine: PolicyEngine, _ principal: String, _ securable: String) throws
    -> Decision
  {
    try engine.check(
      CheckRequest(principal: principal, privilege: .useCatalog, securable: securable))
  }

  private func all(_ engine: PolicyEngine, _ filter: DecisionFilter = DecisionFilter())
    async throws -> [LoggedDecision]
  {
    var filter = filter
    filter.pageSize = 2
    var decisions: [LoggedDecision] = []
    while true {
      let page = try await engine.listDecisions(filter)
      decisions += page.decisions
      if page.nextPageToken.isEmpty { return decisions }
      filter.pageToken = page.nextPageToken
    }
  }

  @Test("repeats keep their own ids")
  func repeatedDecisions() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let clock = TestClock()
    let engine = try await makeEngine(directory, clock: clock)
    defer { engine.close() }
    var expected: [(id: String, caller: String, requestID: String, time: Double)] = []
    for index in 0..<6 {
      let decision = try decide(engine, "alice", "main")
      let caller = index % 2 == 0 ? "service:catalog" : adminName
      engine.logDecision(
        decision, reason: index % 3 == 0 ? nil : decision.reason, caller: caller,
        requestID: "r\(index)")
      expected.append((decision.id, caller, "r\(index)", clock.time))
      clock.advance(by: 0.5)
    }
    try await engine.flushDecisionLog()

    let rows = try await all(engine)
    #expect(rows.map(\.id) == expected.map(\.id).reversed())
    #expect(rows.map(\.caller) == expected.map(\.caller).reversed())
    #expect(rows.map(\.requestID) == expected.map(\.requestID).reversed())
    #expect(rows.map(\.time) == expected.map(\.time).reversed())
    #expect(Set(rows.map(\.reason)).count == 1)
  }

  @Test("pages cross batches")
  func pagesAcrossBatches() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let clock = TestClock()
    let engine = try await makeEngine(directory, clock: clock)
    defer { engine.close() }
    // Five flushes, so five batches; bob appears only in the second and the fourth.
    var requestIDs: [String] = []
    for flush in 0..<5 {
      for index in 0..<3 {
        let principal = flush % 2 == 1 && index == 1 ? "bob" : "alice"
        let requestID = "f\(flush)-\(index)"
        engine.logDecision(
          try decide(engine, principal, "main"), caller: adminName, requestID: requestID)
        requestIDs.append(requestID)
        clock.advance(by: 1)
      }
      try await engine.flushDecisionLog()
    }

    #expect(try await all(engine).map(\.requestID) == requestIDs.reversed())
    let bob = try await all(engine, DecisionFilter(principal: "bob"))
    #expect(bob.map(\.requestID) == ["f3-1", "f1-1"])
    let start = clock.time - 15
    let middle = try await all(engine, DecisionFilter(startTime: start + 4, endTime: start + 8))
    #expect(middle.map(\.requestID) == ["f2-1", "f2-0", "f1-2", "f1-1"])
  }

  @Test("prune trims spanning batch")
  func pruneSpanningBatch() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let clock = TestClock()
    let engine = try await makeEngine(directory, clock: clock)
    defer { engine.close() }
    engine.logDecision(try decide(engine, "bob", "staging"), caller: adminName, requestID: "old")
    clock.advance(by: 2 * 86_400)
    engine.logDecision(try decide(engine, "alice", "main"), caller: adminName, requestID: "new")
    try await engine.flushDecisionLog()

    clock.advance(by: 29 * 86_400)
    #expect(try await engine.pruneDecisionLog() == 1)
    #expect(try await all(engine).map(\.requestID) == ["new"])
    #expect(try await all(engine, DecisionFilter(principal: "bob")).isEmpty)
    #expect(try await engine.pruneDecisionLog() == 0)
  }

  @Test("old rows move into batches")
  func convertsRows() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.file("policy.db")
    let engine = try await makeEngine(directory, clock: TestClock())
    engine.close()

    // The layout before batches: version 3, with a decision_log table.
    let raw = try Database(path: path)
    try raw.executeScript(
      """
      DROP TABLE decision_batches;
      DROP TABLE decision_batch_names;
      CREATE TABLE decision_log (
        id TEXT NOT NULL, time REAL NOT NULL, principal TEXT NOT NULL,
        privilege TEXT NOT NULL, securable TEXT NOT NULL, allowed INTEGER NOT NULL,
        reason TEXT NOT NULL, caller TEXT NOT NULL, request_id TEXT NOT NULL,
        revision INTEGER NOT NULL);
      CREATE INDEX decision_log_by_time ON decision_log (time);
      INSERT INTO decision_log VALUES
        ('dec-0a0b0c-1f', 100.5, 'alice', 'USE_CATALOG', 'main', 1, 'allowed', 'service:catalog',
         'r1', 7),
        ('dec-0a0b0c-20', 101.5, 'bob', 'USE_CATALOG', 'main', 0, 'denied', 'service:catalog',
         'r2', 7),
        ('odd-id', 99.25, 'alice', 'USE_CATALOG', 'staging', 0, 'denied', 'admin', 'r0', 6),
        ('dec-abc-', 98.5, 'bob', 'USE_CATALOG', 'main', 0, 'denied', 'admin', 'r-2', 6),
        ('dec-abc-ffffffffffffffff', 98.75, 'bob', 'USE_CATALOG', 'main', 0, 'denied', 'admin',
         'r-1', 6);
      PRAGMA user_version = 3;
      """)
    raw.close()

    let reopened = try await PolicyEngine.open(path: path)
    defer { reopened.close() }
    let rows = try await all(reopened)
    #expect(
      rows.map(\.id) == [
        "dec-0a0b0c-20", "dec-0a0b0c-1f", "odd-id", "dec-abc-ffffffffffffffff", "dec-abc-",
      ])
    #expect(rows.map(\.time) == [101.5, 100.5, 99.25, 98.75, 98.5])
    #expect(rows.map(\.allowed) == [false, true, false, false, false])
    #expect(rows.map(\.revision) == [7, 7, 6, 6, 6])
    #expect(rows.map(\.reason) == ["denied", "allowed", "denied", "denied", "denied"])
    #expect(
      rows.map(\.caller) == ["service:catalog", "service:catalog", "admin", "admin", "admin"])
    let alice = try await all(reopened, DecisionFilter(principal: "alice"))
    #expect(alice.map(\.requestID) == ["r1", "r0"])
  }

  @Test("corrupt body fails listing")
  func corruptBody() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await makeEngine(directory, clock: TestClock())
    engine.logDecision(try decide(engine, "alice", "main"), caller: adminName, requestID: "r")
    engine.close()
    let raw = try Database(path: directory.file("policy.db"))
    try raw.executeScript("UPDATE decision_batches SET body = x'0203'")
    raw.close()

    let reopened = try await PolicyEngine.open(path: directory.file("policy.db"))
    defer { reopened.close() }
    let error = await #expect(throws: PolicyError.self) {
      try await reopened.listDecisions(DecisionFilter())
    }
    #expect(error?.code == .internal)
    #expect(error?.message.contains("decision_batches row 1 does not decode") == true)
  }

  @Test("old page token rejected")
  func foreignCursor() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await makeEngine(directory, clock: TestClock())
    defer { engine.close() }
    let token = Paging.token(list: "decisions", cursor: "4059000000000000/12")
    let error = await #expect(throws: PolicyError.self) {
      try await engine.listDecisions(DecisionFilter(pageToken: token))
    }
    #expect(error?.code == .invalidArgument)
  }

  @Test("decisions queued out of time order")
  func outOfOrderTimes() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let clock = TestClock()
    let engine = try await makeEngine(directory, clock: clock)
    defer { engine.close() }
    for (requestID, step) in [("a", 0.0), ("b", 2.0), ("c", -1.0)] {
      clock.advance(by: step)
      let decision = try decide(engine, "alice", "main")
      engine.logDecision(decision, caller: adminName, requestID: requestID)
    }
    try await engine.flushDecisionLog()

    let rows = try await all(engine)
    #expect(rows.map(\.requestID) == ["b", "c", "a"])
  }

  @Test("page token rejected with other filters")
  func tokenFilters() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let clock = TestClock()
    let engine = try await makeEngine(directory, clock: clock)
    defer { engine.close() }
    for index in 0..<4 {
      let decision = try decide(engine, "alice", "main")
      engine.logDecision(decision, caller: adminName, requestID: "r\(index)")
    }
    try await engine.flushDecisionLog()
    let first = try await engine.listDecisions(DecisionFilter(principal: "alice", pageSize: 1))
    #expect(!first.nextPageToken.isEmpty)

    let error = await #expect(throws: PolicyError.self) {
      try await engine.listDecisions(
        DecisionFilter(principal: "bob", pageSize: 1, pageToken: first.nextPageToken))
    }
    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains("other filters") == true)
    let negative = Paging.token(list: "decisions", cursor: "-5.0.0")
    let malformed = await #expect(throws: PolicyError.self) {
      try await engine.listDecisions(DecisionFilter(pageToken: negative))
    }
    #expect(malformed?.code == .invalidArgument)
  }

  @Test("outcome, privilege and caller filters")
  func resultFilters() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let clock = TestClock()
    let engine = try await makeEngine(directory, clock: clock)
    defer { engine.close() }
    // alice has USE_CATALOG on main, so her checks there are allowed and bob's denied.
    let checks: [(String, Privilege, String, String)] = [
      ("alice", .useCatalog, "service:catalog", "r0"),
      ("bob", .useCatalog, "service:catalog", "r1"),
      ("alice", .browse, adminName, "r2"),
      ("bob", .useCatalog, adminName, "r3"),
      ("alice", .useCatalog, adminName, "r4"),
    ]
    for (principal, privilege, caller, requestID) in checks {
      let decision = try engine.check(
        CheckRequest(principal: principal, privilege: privilege, securable: "main"))
      engine.logDecision(decision, caller: caller, requestID: requestID)
      clock.advance(by: 1)
    }
    try await engine.flushDecisionLog()

    #expect(
      try await all(engine, DecisionFilter(allowed: false)).map(\.requestID) == ["r3", "r2", "r1"])
    #expect(try await all(engine, DecisionFilter(allowed: true)).map(\.requestID) == ["r4", "r0"])
    #expect(try await all(engine, DecisionFilter(privilege: "BROWSE")).map(\.requestID) == ["r2"])
    #expect(
      try await all(engine, DecisionFilter(caller: "service:catalog")).map(\.requestID)
        == ["r1", "r0"])
    #expect(
      try await all(engine, DecisionFilter(principal: "bob", allowed: false, caller: adminName))
        .map(\.requestID) == ["r3"])

    // A page token carries its filters, the new ones included.
    let first = try await engine.listDecisions(DecisionFilter(allowed: false, pageSize: 1))
    let error = await #expect(throws: PolicyError.self) {
      try await engine.listDecisions(
        DecisionFilter(allowed: true, pageSize: 1, pageToken: first.nextPageToken))
    }
    #expect(error?.code == .invalidArgument)
  }

  @Test("securable filter folds case and validates")
  func securableFilter() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await makeEngine(directory, clock: TestClock())
    defer { engine.close() }
    engine.logDecision(try decide(engine, "alice", "main"), caller: adminName, requestID: "r")
    try await engine.flushDecisionLog()

    let upper = try await all(engine, DecisionFilter(securable: "MAIN"))
    #expect(upper.map(\.requestID) == ["r"])
    let error = await #expect(throws: PolicyError.self) {
      try await engine.listDecisions(DecisionFilter(securable: "main schema"))
    }
    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains("securable filter") == true)
  }
}
