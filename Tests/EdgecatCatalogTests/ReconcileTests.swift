import EdgecatPolicy
import EdgecatProto
import EdgecatRPC
import Testing

/// The states a crash between the catalog's write and the policy service's leaves behind,
/// made by writing one side directly, and the reconcile pass that repairs them.
@Suite("Reconcile", .serialized)
struct ReconcileTests {
  static let service = RequestContext(principal: "service:catalog", requestID: "test")

  @Test("registers what the policy service lacks")
  func registersMissing() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.createSchema("main", "sales")
    try await fixture.createTable("main", "sales", "orders")
    try await fixture.policyEngine.dropSecurable("main.sales", context: Self.service)
    #expect(!fixture.securable("main.sales.orders"))

    let response = try await fixture.reconcile()
    #expect(response.registered == ["main.sales", "main.sales.orders"])
    #expect(fixture.securable("main.sales.orders"))
    let owner = try fixture.policyEngine.securable(named: "main.sales.orders").owner
    #expect(owner == CatalogFixture.admin)
  }

  @Test("drops what only the policy service has")
  func dropsExtra() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.policyEngine.registerSecurable(
      SecurableRegistration(type: .schema, fullName: "main.ghost", owner: CatalogFixture.admin),
      context: Self.service)
    try await fixture.policyEngine.registerSecurable(
      SecurableRegistration(
        type: .table, fullName: "main.ghost.rows", owner: CatalogFixture.admin),
      context: Self.service)

    let response = try await fixture.reconcile()
    #expect(response.dropped == ["main.ghost"])
    #expect(!fixture.securable("main.ghost.rows"))
    #expect(fixture.securable("main"))
  }

  @Test("sets the catalog's owner")
  func fixesOwner() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.policyEngine.transferOwnership(
      of: "main", type: .catalog, to: "bob@example.com", context: Self.service)

    let response = try await fixture.reconcile()
    #expect(response.ownersFixed == ["main"])
    #expect(try fixture.policyEngine.securable(named: "main").owner == CatalogFixture.admin)
  }

  @Test("a second pass changes nothing")
  func idempotent() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.createSchema("main", "sales")
    _ = try await fixture.reconcile()
    let second = try await fixture.reconcile()
    #expect(second.registered.isEmpty)
    #expect(second.dropped.isEmpty)
    #expect(second.ownersFixed.isEmpty)
  }

  @Test("finishes a drop cut short")
  func finishesDrop() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.createSchema("main", "sales")
    try await fixture.createTable("main", "sales", "orders")
    _ = try await fixture.catalogEngine.beginDrop("main.sales", kind: .schema, force: true)
    await #expect {
      _ = try await fixture.getTable("main.sales.orders")
    } throws: { error in
      (error as? RPCError)?.code == .notFound
    }

    let response = try await fixture.reconcile()
    #expect(response.dropped == ["main.sales"])
    #expect(!fixture.securable("main.sales"))
    let rows = try await fixture.catalogEngine.allObjects()
    #expect(rows.map(\.0.fullName) == ["main"])
  }

  @Test("an unknown end user creates nothing")
  func unknownEndUser() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    var request = Edgecat_Catalog_V1_CreateSchemaRequest()
    request.catalogName = "main"
    request.name = "sales"
    await #expect {
      let _: Edgecat_Catalog_V1_SchemaInfo = try await fixture.call(
        "CreateSchema", request, token: fixture.serviceToken, onBehalfOf: "ghost@example.com")
    } throws: { error in
      (error as? RPCError)?.code == .notFound
    }
    let rows = try await fixture.catalogEngine.allObjects()
    #expect(rows.map(\.0.fullName) == ["main"])
    #expect(!fixture.securable("main.sales"))
  }

  @Test("create replaces a stale policy securable")
  func staleSecurable() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.policyEngine.registerSecurable(
      SecurableRegistration(type: .schema, fullName: "main.sales", owner: "bob@example.com"),
      context: Self.service)
    let schema = try await fixture.createSchema("main", "sales")
    #expect(schema.owner == CatalogFixture.admin)
    #expect(try fixture.policyEngine.securable(named: "main.sales").owner == CatalogFixture.admin)
  }

  @Test("only admins may reconcile")
  func adminOnly() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    await #expect {
      _ = try await fixture.reconcile(token: fixture.aliceToken)
    } throws: { error in
      (error as? RPCError)?.code == .permissionDenied
    }
  }
}

extension CatalogFixture {
  func reconcile(token: String? = nil)
    async throws(RPCError) -> Edgecat_Catalog_V1_ReconcileResponse
  {
    try await call("Reconcile", Edgecat_Catalog_V1_ReconcileRequest(), token: token ?? adminToken)
  }
}
