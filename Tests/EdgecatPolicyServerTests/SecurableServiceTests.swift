import EdgecatPolicy
import EdgecatProto
import EdgecatRPC
import Testing

private typealias SecurablesRequest = Edgecat_Policy_V1_ListSecurablesRequest
private typealias SecurablesResponse = Edgecat_Policy_V1_ListSecurablesResponse

private func path(_ method: String) -> String { "/edgecat.policy.v1.PolicyService/\(method)" }

@Suite("Securable listing over loopback")
struct SecurableServiceTests {
  /// Adds `main.sales`, `main.sales.orders` and catalog `other` to the fixture's `main`.
  private func registerTree(_ fixture: PolicyFixture) async throws {
    let admin = RequestContext(principal: "admin@example.com", requestID: "test")
    for (type, name) in [
      (SecurableType.catalog, "other"), (.schema, "main.sales"), (.table, "main.sales.orders"),
    ] {
      try await fixture.engine.registerSecurable(
        SecurableRegistration(type: type, fullName: name, owner: "admin@example.com"),
        context: admin)
    }
  }

  /// Reads every page with `token` and returns the securables and the page count.
  private func listAll(
    _ client: RPCClient, _ fixture: PolicyFixture, token: String, pageSize: Int32
  ) async throws -> (securables: [Edgecat_Policy_V1_Securable], pages: Int) {
    var request = SecurablesRequest()
    request.pageSize = pageSize
    var securables: [Edgecat_Policy_V1_Securable] = []
    var pages = 0
    repeat {
      let response: SecurablesResponse = try await client.unary(
        path("ListSecurables"), request, metadata: fixture.metadata(token: token))
      securables += response.securables
      request.pageToken = response.nextPageToken
      pages += 1
    } while !request.pageToken.isEmpty && pages < 20
    return (securables, pages)
  }

  @Test("service principal lists securables by name")
  func serviceLists() async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    try await registerTree(fixture)
    let (securables, pages) = try await listAll(
      client, fixture, token: fixture.serviceToken, pageSize: 2)
    #expect(securables.map(\.fullName) == ["main", "main.sales", "main.sales.orders", "other"])
    #expect(securables.map(\.type) == [.catalog, .schema, .table, .catalog])
    #expect(securables.allSatisfy { $0.owner == "admin@example.com" })
    #expect(securables.allSatisfy { $0.createdAt.count == 23 })
    #expect(pages == 2)
    client.close()
    await fixture.stop()
  }

  @Test("admin lists securables")
  func adminLists() async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    try await registerTree(fixture)
    let (securables, pages) = try await listAll(
      client, fixture, token: fixture.adminToken, pageSize: 0)
    #expect(securables.count == 4)
    #expect(pages == 1)
    client.close()
    await fixture.stop()
  }

  @Test("user listing is PERMISSION_DENIED")
  func userDenied() async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    let error = await rpcError {
      let _: SecurablesResponse = try await client.unary(
        path("ListSecurables"), SecurablesRequest(),
        metadata: fixture.metadata(token: fixture.aliceToken))
    }
    #expect(error?.code == .permissionDenied)
    #expect(error?.message.contains("alice@example.com") == true)
    client.close()
    await fixture.stop()
  }

  @Test("list securables rejects bad paging", arguments: [(-1, ""), (10, "not-a-token")])
  func badPaging(pageSize: Int32, token: String) async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    var request = SecurablesRequest()
    request.pageSize = pageSize
    request.pageToken = token
    let error = await rpcError {
      let _: SecurablesResponse = try await client.unary(
        path("ListSecurables"), request, metadata: fixture.metadata(token: fixture.serviceToken))
    }
    #expect(error?.code == .invalidArgument)
    client.close()
    await fixture.stop()
  }

  @Test("get securable shows created time")
  func getCreatedTime() async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    var request = Edgecat_Policy_V1_GetSecurableRequest()
    request.type = .catalog
    request.fullName = "main"
    let securable: Edgecat_Policy_V1_Securable = try await client.unary(
      path("GetSecurable"), request, metadata: fixture.metadata(token: fixture.aliceToken))
    #expect(securable.fullName == "main")
    #expect(securable.createdAt.count == 23)
    client.close()
    await fixture.stop()
  }
}
