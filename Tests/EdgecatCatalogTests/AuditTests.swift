import EdgecatProto
import EdgecatRPC
import Testing

/// Audit completeness: a scripted session of mutations and reads, each of which must leave
/// exactly one audit event with its principal, securable, result and request id.
@Suite("Catalog audit", .serialized)
struct AuditTests {
  @Test("scripted session is fully audited")
  func scriptedSession() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.createSchema("main", "sales")
    try await fixture.createTable("main", "sales", "orders")
    _ = try await fixture.getTable("main.sales.orders")
    _ = try? await fixture.getTable("main.sales.orders", token: fixture.aliceToken)
    var tag = Edgecat_Catalog_V1_SetTagRequest()
    tag.securableType = .table
    tag.fullName = "main.sales.orders"
    tag.tag = Edgecat_Catalog_V1_Tag()
    tag.tag?.key = "pii"
    tag.tag?.value = "none"
    let _: Edgecat_Catalog_V1_SetTagResponse = try await fixture.call(
      "SetTag", tag, token: fixture.adminToken)
    _ = try await fixture.deleteSchema("main.sales", force: true)

    let events = try await fixture.auditEvents()
    let actions = events.map(\.action)
    #expect(
      actions == [
        "DeleteSchema", "SetTag", "GetTable", "GetTable", "CreateTable", "CreateSchema",
        "CreateCatalog",
      ])
    let denied = events.first { $0.principal == "alice@example.com" }
    #expect(denied?.result == "PERMISSION_DENIED")
    #expect(denied?.securable == "main.sales.orders")
    #expect(events.allSatisfy { !$0.requestID.isEmpty })
    #expect(events.allSatisfy { $0.peer.hasPrefix("127.0.0.1:") })
    #expect(events.allSatisfy { $0.service == "catalog" })
    let create = events.first { $0.action == "CreateCatalog" }
    #expect(create?.principal == CatalogFixture.admin)
    #expect(create?.parameters == "{\"name\":\"main\"}")
  }

  @Test("filters by action and pages")
  func filtersAndPages() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    for index in 0..<5 { try await fixture.createSchema("main", "s\(index)") }
    var request = Edgecat_Audit_V1_ListAuditEventsRequest()
    request.action = "CreateSchema"
    request.pageSize = 2
    var names: [String] = []
    repeat {
      let page: Edgecat_Audit_V1_ListAuditEventsResponse = try await fixture.call(
        "ListAuditEvents", request, token: fixture.adminToken)
      names += page.events.map(\.securable)
      request.pageToken = page.nextPageToken
    } while !request.pageToken.isEmpty
    #expect(names == ["main.s4", "main.s3", "main.s2", "main.s1", "main.s0"])
  }

  @Test("securable filter ignores case")
  func securableFilterCase() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.createSchema("main", "sales")
    _ = try await fixture.getSchema("MAIN.Sales")
    for spelling in ["main.sales", "Main.SALES"] {
      var request = Edgecat_Audit_V1_ListAuditEventsRequest()
      request.securable = spelling
      let page: Edgecat_Audit_V1_ListAuditEventsResponse = try await fixture.call(
        "ListAuditEvents", request, token: fixture.adminToken)
      #expect(page.events.map(\.action) == ["GetSchema", "CreateSchema"], "filter \(spelling)")
      #expect(page.events.allSatisfy { $0.securable == "main.sales" }, "filter \(spelling)")
    }
  }

  @Test("listing needs an admin")
  func adminOnly() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    await #expect {
      let _: Edgecat_Audit_V1_ListAuditEventsResponse = try await fixture.call(
        "ListAuditEvents", Edgecat_Audit_V1_ListAuditEventsRequest(), token: fixture.aliceToken)
    } throws: { error in
      (error as? RPCError)?.code == .permissionDenied
    }
  }
}

extension CatalogFixture {
  /// Every audit event, newest first.
  func auditEvents() async throws(RPCError) -> [Edgecat_Audit_V1_AuditEvent] {
    var request = Edgecat_Audit_V1_ListAuditEventsRequest()
    request.pageSize = 1000
    let page: Edgecat_Audit_V1_ListAuditEventsResponse = try await call(
      "ListAuditEvents", request, token: adminToken)
    return page.events
  }
}
