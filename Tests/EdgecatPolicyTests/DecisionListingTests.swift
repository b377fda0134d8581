import EdgecatCore
import EdgecatPolicy
import EdgecatTestSupport
import Testing

@Suite("Decision listing")
struct DecisionListingTests {
  /// Opens an engine and logs `count` decisions one second apart, alternating between alice
  /// on `main` and bob on `staging`.
  private func makeEngine(
    _ directory: TemporaryDirectory, _ clock: TestClock, count: Int
  ) async throws -> PolicyEngine {
    let engine = try await openEngine(
      directory, clock: clock, decisionLog: DecisionLogTests.manual)
    try await engine.register(.catalog, "main")
    try await engine.register(.catalog, "staging")
    try await engine.user("alice")
    try await engine.user("bob")
    for index in 0..<count {
      let request =
        index % 2 == 0
        ? CheckRequest(principal: "alice", privilege: .useCatalog, securable: "main")
        : CheckRequest(principal: "bob", privilege: .useCatalog, securable: "staging")
      engine.logDecision(try engine.check(request), caller: adminName, requestID: "r\(index)")
      clock.advance(by: 1)
    }
    try await engine.flushDecisionLog()
    return engine
  }

  @Test("page size 0 means 100")
  func defaultPageSize() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await makeEngine(directory, TestClock(), count: 150)
    defer { engine.close() }
    let page = try await engine.listDecisions(DecisionFilter(pageSize: 0))
    #expect(page.decisions.count == 100)
    #expect(!page.nextPageToken.isEmpty)
  }

  @Test("page size 1001 is clamped to 1000")
  func clampedPageSize() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await makeEngine(directory, TestClock(), count: 1200)
    defer { engine.close() }
    let first = try await engine.listDecisions(DecisionFilter(pageSize: 1001))
    #expect(first.decisions.count == 1000)
    let second = try await engine.listDecisions(
      DecisionFilter(pageSize: 1001, pageToken: first.nextPageToken))
    #expect(second.decisions.count == 200)
    #expect(second.nextPageToken.isEmpty)
    let times = (first.decisions + second.decisions).map(\.time)
    #expect(times == times.sorted(by: >))
    #expect(Set(times).count == 1200)
  }

  @Test("negative page size is rejected")
  func negativePageSize() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await makeEngine(directory, TestClock(), count: 1)
    defer { engine.close() }
    let error = await #expect(throws: PolicyError.self) {
      try await engine.listDecisions(DecisionFilter(pageSize: -1))
    }
    #expect(error?.code == .invalidArgument)
  }

  @Test("audit token is rejected")
  func foreignToken() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await makeEngine(directory, TestClock(), count: 1)
    defer { engine.close() }
    let audit = try await engine.listAuditEvents(AuditEventFilter(pageSize: 1))
    let error = await #expect(throws: PolicyError.self) {
      try await engine.listDecisions(DecisionFilter(pageToken: audit.nextPageToken))
    }
    #expect(error?.code == .invalidArgument)
  }

  @Test("principal and securable filters")
  func filters() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await makeEngine(directory, TestClock(), count: 6)
    defer { engine.close() }
    let bob = try await engine.listDecisions(DecisionFilter(principal: "bob")).decisions
    #expect(bob.map(\.requestID) == ["r5", "r3", "r1"])
    let main = try await engine.listDecisions(DecisionFilter(securable: "main")).decisions
    #expect(main.map(\.requestID) == ["r4", "r2", "r0"])
  }

  @Test("time range is start inclusive, end exclusive")
  func timeRange() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let clock = TestClock()
    let start = clock.time
    let engine = try await makeEngine(directory, clock, count: 6)
    defer { engine.close() }
    let filter = DecisionFilter(startTime: start + 2, endTime: start + 4)
    let page = try await engine.listDecisions(filter)
    #expect(page.decisions.map(\.requestID) == ["r3", "r2"])
  }
}
