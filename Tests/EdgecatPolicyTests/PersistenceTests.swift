import EdgecatPolicy
import EdgecatTestSupport
import Testing

@Suite("Persistence and cascade")
struct PersistenceTests {
  @Test("restart keeps revision and decisions")
  func restart() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let first = try await openEngine(directory)
    try await AuthorizationWorld.make(first)
    let token = try await first.createToken(for: "dave", context: admin)
    let revision = first.revision
    let before = try AuthorizationTests.cases.map { try decide(first, $0) }
    first.close()

    let second = try await PolicyEngine.open(path: directory.file("policy.db"))
    defer { second.close() }
    #expect(second.revision == revision)
    #expect(try AuthorizationTests.cases.map { try decide(second, $0) } == before)
    #expect(try second.authenticate(token: token.secret).principal == "dave")
    #expect(try second.principal(named: "heidi").groups.contains("engineers"))
  }

  private func decide(_ engine: PolicyEngine, _ item: DecisionCase) throws -> String {
    let decision = try engine.check(
      CheckRequest(principal: item.principal, privilege: item.privilege, securable: item.securable))
    return "\(decision.allowed) \(decision.reason)"
  }

  @Test("drop cascades to children and grants")
  func cascade() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await AuthorizationWorld.make(engine)
    try await engine.dropSecurable("main.sales", context: acting("alice"))
    #expect(throws: PolicyError.self) { try engine.securable(named: "main.sales.orders") }

    try await engine.register(.schema, "main.sales", owner: "bob")
    try await engine.register(.table, "main.sales.orders", owner: "carol")
    #expect(try engine.listGrants(on: "main.sales").isEmpty)
    #expect(try !engine.allows("dave", .select, "main.sales.orders"))
  }

  @Test("drop is persisted")
  func dropPersisted() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let first = try await openEngine(directory)
    try await AuthorizationWorld.make(first)
    try await first.dropSecurable("main", context: admin)
    first.close()
    let second = try await PolicyEngine.open(path: directory.file("policy.db"))
    defer { second.close() }
    #expect(throws: PolicyError.self) { try second.securable(named: "main.ml.churn") }
  }

  @Test("audit event records the mutation")
  func auditEvent() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.user("u")
    try await engine.register(.catalog, "c")
    try await engine.grant([.useCatalog], on: "c", to: "u", context: admin)
    let event = try #require(try await engine.auditEvents(limit: 1).first)
    #expect(event.action == "grant")
    #expect(event.securable == "c")
    #expect(event.principal == adminName)
    #expect(event.result == "OK")
    #expect(event.revision == engine.revision)
    #expect(event.parameters == #"{"principal":"u","privileges":"USE_CATALOG"}"#)
  }

  @Test("rejected mutation is audited")
  func rejectedAudit() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.user("u")
    _ = try? await engine.createPrincipal("v", kind: .user, context: acting("u"))
    let event = try #require(try await engine.auditEvents(limit: 1).first)
    #expect(event.result == "PERMISSION_DENIED")
  }
}
