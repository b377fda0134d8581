import EdgecatPolicy
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit
import Testing

private typealias World = BatchCheckWorld

@Suite("PolicyClient batched checks over loopback")
struct BatchCheckTests {
  @Test("checkAll matches single checks in order")
  func matchesSingleChecks() async throws {
    let world = try await World.start(tables: 12)
    var queries: [CheckQuery] = []
    var expected: [Bool] = []
    // Table 0 appears twice, so 7 distinct tables with 4 pairs each are sent.
    for index in [5, 0, 11, 3, 6, 0, 9, 2] {
      for (principal, privilege) in World.checkedPairs {
        queries.append(World.query(principal, privilege, table: index))
        expected.append(World.expectedAllowed(principal, privilege, table: index))
      }
    }
    #expect(expected.contains(true))
    #expect(expected.contains(false))

    let results = try await world.policy.checkAll(queries, requestID: "test-batch")
    #expect(results.map(\.allowed) == expected)
    #expect(world.service.batchSizes == [28])
    #expect(results[4].decisionID == results[20].decisionID)
    for (query, result) in zip(queries, results) {
      let single = try await world.policy.check(
        principal: query.principal, privilege: query.privilege, type: query.type,
        securable: query.securable, requestID: "test-single")
      #expect(result.allowed == single.allowed)
      #expect(result.reason == single.reason)
      #expect(result.revision == single.revision)
      #expect(result.missingPrivileges == single.missingPrivileges)
    }
    await world.stop()
  }

  @Test("2,500 checks are sent in calls of 1000")
  func splitsLargeBatches() async throws {
    let world = try await World.start(tables: 625)
    var queries: [CheckQuery] = []
    var expected: [Bool] = []
    for index in 0..<625 {
      for (principal, privilege) in World.checkedPairs {
        queries.append(World.query(principal, privilege, table: index))
        expected.append(World.expectedAllowed(principal, privilege, table: index))
      }
    }
    #expect(queries.count == 2_500)

    let results = try await world.policy.checkAll(queries, requestID: "test-split")
    #expect(world.service.batchSizes == [1000, 1000, 500])
    #expect(results.count == 2_500)
    #expect(results.map(\.allowed) == expected)
    for (query, result) in zip(queries, results) {
      let decision = try world.fixture.engine.check(
        CheckRequest(
          principal: query.principal, privilege: try Privilege.named(query.privilege),
          securable: query.securable, securableType: .table))
      #expect(result.reason == decision.reason)
    }
    await world.stop()
  }

  @Test("checkAll uses and fills the cache")
  func sharesCacheWithCheck() async throws {
    let world = try await World.start(tables: 5)
    world.policy.startWatching()
    try await waitUntil { world.policy.cacheIsValid }
    let queries = (0..<5).map { World.query(World.alice, "SELECT", table: $0) }
    var singles: [CheckResponse] = []
    for query in queries[0..<2] {
      singles.append(
        try await world.policy.check(
          principal: query.principal, privilege: query.privilege, type: query.type,
          securable: query.securable, requestID: "test-single"))
    }
    #expect(world.service.checkCount == 2)

    let first = try await world.policy.checkAll(queries, requestID: "test-first")
    #expect(world.service.batchSizes == [3])
    #expect(first[0].decisionID == singles[0].decisionID)
    #expect(first[1].decisionID == singles[1].decisionID)

    let second = try await world.policy.checkAll(queries, requestID: "test-second")
    #expect(world.service.batchSizes == [3])
    #expect(second.map(\.decisionID) == first.map(\.decisionID))

    let last = try await world.policy.check(
      principal: World.alice, privilege: "SELECT", type: .table, securable: "main.s.t4",
      requestID: "test-single")
    #expect(world.service.checkCount == 2)
    #expect(last.decisionID == first[4].decisionID)
    await world.stop()
  }

  @Test("revoke drops cached batch results")
  func revokeDropsCache() async throws {
    let world = try await World.start(tables: 3)
    world.policy.startWatching()
    try await waitUntil { world.policy.cacheIsValid }
    let queries = (0..<3).map { World.query(World.alice, "SELECT", table: $0) }
    let before = try await world.policy.checkAll(queries, requestID: "test-before")
    #expect(before.map(\.allowed) == [true, false, true])

    // Revoking through the counting service waits for this client to acknowledge the change.
    let admin = RPCClient(endpoint: world.policy.endpoint, group: world.fixture.group)
    var revoke = updateRequest(World.alice, ["SELECT"], "main.s.t0")
    revoke.securableType = .table
    let _: Edgecat_Policy_V1_UpdatePrivilegesResponse = try await admin.unary(
      "/edgecat.policy.v1.PolicyService/Revoke", revoke,
      metadata: world.fixture.metadata(token: world.fixture.adminToken))
    let after = try await world.policy.checkAll(queries, requestID: "test-after")
    #expect(after.map(\.allowed) == [false, false, true])
    #expect(world.service.batchSizes == [3, 3])
    admin.close()
    await world.stop()
  }

  @Test("unknown securable fails the whole call")
  func unknownSecurable() async throws {
    let world = try await World.start(tables: 1)
    let queries = [
      World.query(World.alice, "SELECT", table: 0),
      CheckQuery(
        principal: World.alice, privilege: "SELECT", type: .table, securable: "main.s.missing"),
    ]
    let error = await rpcError {
      _ = try await world.policy.checkAll(queries, requestID: "test-missing")
    }
    #expect(error?.code == .notFound)
    #expect(error?.message.contains("main.s.missing") == true)
    await world.stop()
  }

  @Test("empty query list sends nothing")
  func emptyQueries() async throws {
    let world = try await World.start(tables: 0)
    let results = try await world.policy.checkAll([], requestID: "test-empty")
    #expect(results.isEmpty)
    #expect(world.service.batchSizes.isEmpty)
    await world.stop()
  }

  @Test("allowed returns one flag per securable")
  func allowedAnyOf() async throws {
    let world = try await World.start(tables: 12)
    let authenticator = CallAuthenticator(policy: world.policy)
    let names = (0..<12).map { "main.s.t\($0)" }
    let aliceIdentity = try await authenticator.identify(
      metadata: world.fixture.metadata(token: world.fixture.aliceToken), requestID: "test")
    let either = try await authenticator.allowed(
      aliceIdentity, anyOf: ["SELECT", "MODIFY"], on: .table, names)
    #expect(either == (0..<12).map { $0 % 2 == 0 || $0 % 3 == 0 })
    #expect(world.service.batchSizes == [24])

    let modify = try await authenticator.allowed(
      aliceIdentity, anyOf: ["MODIFY"], on: .table, names)
    #expect(modify == (0..<12).map { $0 % 3 == 0 })
    let none = try await authenticator.allowed(aliceIdentity, anyOf: [], on: .table, names)
    #expect(none == Array(repeating: false, count: 12))

    let bobIdentity = try await authenticator.identify(
      metadata: world.fixture.metadata(token: world.fixture.serviceToken, onBehalfOf: World.bob),
      requestID: "test")
    #expect(bobIdentity.principal == World.bob)
    let bobFlags = try await authenticator.allowed(
      bobIdentity, anyOf: ["MODIFY", "SELECT"], on: .table, names)
    #expect(bobFlags == Array(repeating: true, count: 12))
    await world.stop()
  }
}
