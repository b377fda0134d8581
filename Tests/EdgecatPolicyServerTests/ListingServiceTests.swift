import EdgecatPolicy
import EdgecatProto
import EdgecatRPC
import Testing

private typealias PrincipalsRequest = Edgecat_Policy_V1_ListPrincipalsRequest
private typealias PrincipalsResponse = Edgecat_Policy_V1_ListPrincipalsResponse
private typealias AuditRequest = Edgecat_Audit_V1_ListAuditEventsRequest
private typealias AuditResponse = Edgecat_Audit_V1_ListAuditEventsResponse
private typealias DecisionsRequest = Edgecat_Policy_V1_ListDecisionsRequest
private typealias DecisionsResponse = Edgecat_Policy_V1_ListDecisionsResponse
private typealias DeleteRequest = Edgecat_Policy_V1_DeletePrincipalRequest
private typealias DeleteResponse = Edgecat_Policy_V1_DeletePrincipalResponse

private func path(_ method: String) -> String { "/edgecat.policy.v1.PolicyService/\(method)" }

@Suite("Policy listings over loopback")
struct ListingServiceTests {
  @Test("list principals pages by name")
  func listPrincipals() async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    var request = PrincipalsRequest()
    request.pageSize = 2
    var names: [String] = []
    var pages = 0
    repeat {
      let response: PrincipalsResponse = try await client.unary(
        path("ListPrincipals"), request, metadata: fixture.metadata(token: fixture.aliceToken))
      names += response.principals.map(\.name)
      request.pageToken = response.nextPageToken
      pages += 1
    } while !request.pageToken.isEmpty && pages < 20
    #expect(names == names.sorted())
    #expect(names.contains("alice@example.com"))
    #expect(names.count == 7)
    client.close()
    await fixture.stop()
  }

  @Test("list principals filters by type")
  func listPrincipalsByType() async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    var request = PrincipalsRequest()
    request.type = .user
    let response: PrincipalsResponse = try await client.unary(
      path("ListPrincipals"), request, metadata: fixture.metadata(token: fixture.adminToken))
    #expect(
      response.principals.map(\.name) == [
        "admin@example.com", "alice@example.com", "bob@example.com",
      ])
    #expect(response.principals.allSatisfy { $0.type == .user })
    #expect(response.principals.allSatisfy { !$0.createdAt.isEmpty })
    client.close()
    await fixture.stop()
  }

  @Test("list principals rejects bad paging", arguments: [(-1, ""), (10, "not-a-token")])
  func listPrincipalsBadPaging(pageSize: Int32, token: String) async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    var request = PrincipalsRequest()
    request.pageSize = pageSize
    request.pageToken = token
    let error = await rpcError {
      let _: PrincipalsResponse = try await client.unary(
        path("ListPrincipals"), request, metadata: fixture.metadata(token: fixture.adminToken))
    }
    #expect(error?.code == .invalidArgument)
    client.close()
    await fixture.stop()
  }

  @Test("admin deletes a principal")
  func deletePrincipal() async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    var request = DeleteRequest()
    request.name = "bob@example.com"
    let response: DeleteResponse = try await client.unary(
      path("DeletePrincipal"), request, metadata: fixture.metadata(token: fixture.adminToken))
    #expect(response.revision == fixture.engine.revision)
    #expect(throws: PolicyError.self) { try fixture.engine.principal(named: "bob@example.com") }
    client.close()
    await fixture.stop()
  }

  @Test("delete principal needs an admin")
  func deletePrincipalDenied() async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    var request = DeleteRequest()
    request.name = "bob@example.com"
    let error = await rpcError {
      let _: DeleteResponse = try await client.unary(
        path("DeletePrincipal"), request, metadata: fixture.metadata(token: fixture.aliceToken))
    }
    #expect(error?.code == .permissionDenied)
    client.close()
    await fixture.stop()
  }

  @Test("delete of an owner is FAILED_PRECONDITION")
  func deleteOwner() async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    var request = DeleteRequest()
    request.name = "admin@example.com"
    let error = await rpcError {
      let _: DeleteResponse = try await client.unary(
        path("DeletePrincipal"), request, metadata: fixture.metadata(token: fixture.adminToken))
    }
    #expect(error?.code == .failedPrecondition)
    #expect(error?.message.contains("catalog main") == true)
    client.close()
    await fixture.stop()
  }

  @Test("audit events filter by action")
  func listAuditEvents() async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    var request = AuditRequest()
    request.action = "createPrincipal"
    let response: AuditResponse = try await client.unary(
      path("ListAuditEvents"), request, metadata: fixture.metadata(token: fixture.adminToken))
    #expect(response.events.count == 2)
    #expect(response.events.allSatisfy { $0.action == "createPrincipal" })
    #expect(response.events.allSatisfy { $0.service == "policy" })
    #expect(response.events.allSatisfy { $0.time.count == 23 })
    #expect(response.events.map(\.time) == response.events.map(\.time).sorted(by: >))
    #expect(response.nextPageToken.isEmpty)
    client.close()
    await fixture.stop()
  }

  @Test("audit events record the caller's address")
  func auditPeer() async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    var create = Edgecat_Policy_V1_CreatePrincipalRequest()
    create.name = "carol@example.com"
    create.type = .user
    let _: Edgecat_Policy_V1_Principal = try await client.unary(
      path("CreatePrincipal"), create, metadata: fixture.metadata(token: fixture.adminToken))
    var request = AuditRequest()
    request.principal = "admin@example.com"
    request.action = "createPrincipal"
    let response: AuditResponse = try await client.unary(
      path("ListAuditEvents"), request, metadata: fixture.metadata(token: fixture.adminToken))
    let event = response.events.first { $0.securable.isEmpty && $0.parameters.contains("carol") }
    #expect(event?.peer.hasPrefix("127.0.0.1:") == true)
    client.close()
    await fixture.stop()
  }

  @Test("audit events reject a bad time")
  func listAuditEventsBadTime() async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    var request = AuditRequest()
    request.startTime = "yesterday"
    let error = await rpcError {
      let _: AuditResponse = try await client.unary(
        path("ListAuditEvents"), request, metadata: fixture.metadata(token: fixture.adminToken))
    }
    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains("start_time") == true)
    client.close()
    await fixture.stop()
  }

  @Test(
    "audit and decision lists need an admin",
    arguments: [("ListAuditEvents", false), ("ListDecisions", false), ("ListAuditEvents", true)])
  func listsDenied(method: String, viaService: Bool) async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    let metadata =
      viaService
      ? fixture.metadata(token: fixture.serviceToken, onBehalfOf: "alice@example.com")
      : fixture.metadata(token: fixture.aliceToken)
    let error = await rpcError {
      if method == "ListAuditEvents" {
        let _: AuditResponse = try await client.unary(
          path(method), AuditRequest(), metadata: metadata)
      } else {
        let _: DecisionsResponse = try await client.unary(
          path(method), DecisionsRequest(), metadata: metadata)
      }
    }
    #expect(error?.code == .permissionDenied)
    client.close()
    await fixture.stop()
  }

  @Test("check and batch check are logged")
  func listDecisions() async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    var metadata = fixture.metadata(token: fixture.adminToken)
    metadata.add("x-request-id", "req-42")
    let check: Edgecat_Policy_V1_CheckResponse = try await client.unary(
      path("Check"), checkRequest("alice@example.com", "USE_CATALOG", "main"),
      metadata: metadata)
    var batch = Edgecat_Policy_V1_BatchCheckRequest()
    batch.checks = [
      checkRequest("bob@example.com", "USE_CATALOG", "main"),
      checkRequest("bob@example.com", "BROWSE", "main"),
    ]
    let _: Edgecat_Policy_V1_BatchCheckResponse = try await client.unary(
      path("BatchCheck"), batch, metadata: fixture.metadata(token: fixture.serviceToken))
    try await fixture.engine.flushDecisionLog()

    var request = DecisionsRequest()
    request.principal = "alice@example.com"
    let alice: DecisionsResponse = try await client.unary(
      path("ListDecisions"), request, metadata: fixture.metadata(token: fixture.adminToken))
    let logged = try #require(alice.decisions.first)
    #expect(alice.decisions.count == 1)
    #expect(logged.decisionID == check.decisionID)
    #expect(logged.caller == "admin@example.com")
    #expect(logged.requestID == "req-42")
    #expect(logged.reason == check.reason)
    #expect(logged.allowed)

    request.principal = "bob@example.com"
    request.pageSize = 1
    let bob: DecisionsResponse = try await client.unary(
      path("ListDecisions"), request, metadata: fixture.metadata(token: fixture.adminToken))
    #expect(bob.decisions.map(\.caller) == ["service:catalog"])
    #expect(!bob.nextPageToken.isEmpty)
    client.close()
    await fixture.stop()
  }

  @Test("decision filters validated")
  func decisionFilterValidation() async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    let metadata = fixture.metadata(token: fixture.adminToken)
    let _: Edgecat_Policy_V1_CheckResponse = try await client.unary(
      path("Check"), checkRequest("bob@example.com", "USE_CATALOG", "main"), metadata: metadata)
    try await fixture.engine.flushDecisionLog()

    var request = DecisionsRequest()
    request.outcome = .denied
    request.privilege = "use_catalog"
    request.caller = "admin@example.com"
    let denied: DecisionsResponse = try await client.unary(
      path("ListDecisions"), request, metadata: metadata)
    #expect(denied.decisions.map(\.principal) == ["bob@example.com"])

    request.privilege = "USE_CATALOGUE"
    let unknownPrivilege = await rpcError {
      let _: DecisionsResponse = try await client.unary(
        path("ListDecisions"), request, metadata: metadata)
    }
    #expect(unknownPrivilege?.code == .invalidArgument)
    #expect(unknownPrivilege?.message.contains("USE_CATALOGUE") == true)

    request.privilege = ""
    request.outcome = .unrecognized(7)
    let unknownOutcome = await rpcError {
      let _: DecisionsResponse = try await client.unary(
        path("ListDecisions"), request, metadata: metadata)
    }
    #expect(unknownOutcome?.code == .invalidArgument)
    #expect(unknownOutcome?.message.hasPrefix("outcome 7 is invalid") == true)
    client.close()
    await fixture.stop()
  }

  @Test("batch check errors name the check")
  func batchCheckErrorIndex() async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    var batch = Edgecat_Policy_V1_BatchCheckRequest()
    batch.checks = [
      checkRequest("bob@example.com", "USE_CATALOG", "main"),
      checkRequest("bob@example.com", "BOGUS", "main"),
    ]
    let error = await #expect(throws: RPCError.self) {
      let _: Edgecat_Policy_V1_BatchCheckResponse = try await client.unary(
        path("BatchCheck"), batch, metadata: fixture.metadata(token: fixture.serviceToken))
    }
    #expect(error?.code == .invalidArgument)
    #expect(error?.message.hasPrefix("check 1: unknown privilege 'BOGUS'") == true)
    client.close()
    await fixture.stop()
  }
}
