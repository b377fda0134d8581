import EdgecatPolicy
import EdgecatPolicyServer
import EdgecatProto
import EdgecatRPC
import Testing

@Suite("Check responses repeated from the cache")
struct CheckResponseCacheTests {
  typealias CheckResponse = Edgecat_Policy_V1_CheckResponse
  static let check = "/edgecat.policy.v1.PolicyService/Check"

  @Test("repeated check gets a new decision id")
  func repeatedCheck() async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    let metadata = fixture.metadata(token: fixture.adminToken)
    let request = checkRequest("alice@example.com", "USE_CATALOG", "main")

    let first: CheckResponse = try await client.unary(Self.check, request, metadata: metadata)
    let second: CheckResponse = try await client.unary(Self.check, request, metadata: metadata)

    #expect(first.allowed)
    #expect(second.allowed)
    #expect(second.reason == first.reason)
    #expect(second.revision == first.revision)
    #expect(!second.decisionID.isEmpty)
    #expect(second.decisionID != first.decisionID)
    try await fixture.engine.flushDecisionLog()
    let logged = try await fixture.engine.listDecisions(
      DecisionFilter(principal: "alice@example.com"))
    let ids = Set(logged.decisions.map(\.id))
    #expect(ids.contains(first.decisionID))
    #expect(ids.contains(second.decisionID))
    client.close()
    await fixture.stop()
  }

  @Test("disabled cache returns the same decisions")
  func disabledCache() async throws {
    let cached = try await PolicyFixture.start()
    let uncached = try await PolicyFixture.start(checkCacheEntries: 0)
    let request = checkRequest("alice@example.com", "USE_CATALOG", "main")
    var responses: [[CheckResponse]] = []
    for fixture in [cached, uncached] {
      let client = fixture.client()
      let metadata = fixture.metadata(token: fixture.adminToken)
      var answers: [CheckResponse] = []
      for _ in 0..<3 {
        answers.append(try await client.unary(Self.check, request, metadata: metadata))
      }
      responses.append(answers)
      client.close()
    }

    for (fromCache, decided) in zip(responses[0], responses[1]) {
      #expect(fromCache.allowed == decided.allowed)
      #expect(fromCache.reason == decided.reason)
      #expect(fromCache.revision == decided.revision)
      #expect(fromCache.missingPrivileges == decided.missingPrivileges)
    }
    for answers in responses {
      #expect(Set(answers.map(\.decisionID)).count == answers.count)
      #expect(answers.allSatisfy { !$0.decisionID.isEmpty })
    }
    await cached.stop()
    await uncached.stop()
  }

  @Test("revoke ends the repeated answer")
  func revokeEndsRepeat() async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    let metadata = fixture.metadata(token: fixture.adminToken)
    let request = checkRequest("alice@example.com", "USE_CATALOG", "main")
    let before: CheckResponse = try await client.unary(Self.check, request, metadata: metadata)

    _ = try await fixture.engine.revoke(
      [.useCatalog], on: "main", type: .catalog, from: "alice@example.com",
      context: RequestContext(principal: "admin@example.com", requestID: "test"))
    let after: CheckResponse = try await client.unary(Self.check, request, metadata: metadata)

    #expect(before.allowed)
    #expect(!after.allowed)
    #expect(after.revision > before.revision)
    #expect(after.missingPrivileges == ["USE_CATALOG"])
    client.close()
    await fixture.stop()
  }

  @Test("same request from another caller is authorized again")
  func otherCaller() async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    let request = checkRequest("bob@example.com", "USE_CATALOG", "main")
    let fromAdmin: CheckResponse = try await client.unary(
      Self.check, request, metadata: fixture.metadata(token: fixture.adminToken))

    let error = await rpcError {
      let _: CheckResponse = try await client.unary(
        Self.check, request, metadata: fixture.metadata(token: fixture.aliceToken))
    }

    #expect(!fromAdmin.allowed)
    #expect(error?.code == .permissionDenied)
    client.close()
    await fixture.stop()
  }
}
