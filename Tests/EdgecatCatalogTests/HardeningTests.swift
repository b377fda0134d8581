import EdgecatPolicy
import EdgecatProto
import EdgecatRPC
import Testing

/// Requests a careless or hostile caller sends, and the states a misconfigured deployment
/// reaches.
@Suite("Hardening", .serialized)
struct HardeningTests {
  static let service = RequestContext(principal: "service:catalog", requestID: "test")

  @Test("reconcile keeps catalogs it does not know")
  func unknownCatalogKept() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.policyEngine.registerSecurable(
      SecurableRegistration(type: .catalog, fullName: "elsewhere", owner: CatalogFixture.admin),
      context: Self.service)
    let kept = try await fixture.reconcile()
    #expect(kept.unknownCatalogs == ["elsewhere"])
    #expect(kept.dropped.isEmpty)
    #expect(fixture.securable("elsewhere"))

    var request = Edgecat_Catalog_V1_ReconcileRequest()
    request.dropUnknownCatalogs = true
    let dropped: Edgecat_Catalog_V1_ReconcileResponse = try await fixture.call(
      "Reconcile", request, token: fixture.adminToken)
    #expect(dropped.dropped == ["elsewhere"])
    #expect(!fixture.securable("elsewhere"))
  }

  @Test("binding checks hide columns from strangers")
  func bindingHidesColumns() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.createSchema("main", "s")
    try await fixture.createTable("main", "s", "t", columns: [("email", "STRING")])
    try await fixture.createFunction(
      "main", "s", "f", parameters: [("x", "STRING")], body: "x IS NOT NULL")
    var request = Edgecat_Catalog_V1_SetRowFilterRequest()
    request.tableFullName = "main.s.t"
    request.functionFullName = "main.s.f"
    request.inputColumns = ["nope"]
    await #expect {
      let _: Edgecat_Catalog_V1_TableInfo = try await fixture.call(
        "SetRowFilter", request, token: fixture.aliceToken)
    } throws: { error in
      guard let error = error as? RPCError else { return false }
      return error.code == .permissionDenied && !error.message.contains("email")
    }
  }

  @Test("a function body over 10,000 characters is rejected")
  func longBody() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.createSchema("main", "s")
    let body = "x = '" + String(repeating: "a", count: 10_000) + "'"
    await #expect {
      try await fixture.createFunction("main", "s", "f", parameters: [("x", "STRING")], body: body)
    } throws: { error in
      (error as? RPCError)?.code == .invalidArgument
    }
  }

  @Test("a table over 4,096 columns is rejected")
  func tooManyColumns() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.createSchema("main", "s")
    let columns = (0...4096).map { ("c\($0)", "INT") }
    await #expect {
      try await fixture.createTable("main", "s", "wide", columns: columns)
    } throws: { error in
      (error as? RPCError)?.code == .invalidArgument
    }
  }

  @Test("a bound column keeps its type")
  func boundColumnType() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.createSchema("main", "s")
    try await fixture.createTable("main", "s", "t", columns: [("email", "STRING")])
    try await fixture.createFunction(
      "main", "s", "f", parameters: [("x", "STRING")], body: "x IS NOT NULL")
    var filter = Edgecat_Catalog_V1_SetRowFilterRequest()
    filter.tableFullName = "main.s.t"
    filter.functionFullName = "main.s.f"
    filter.inputColumns = ["email"]
    let _: Edgecat_Catalog_V1_TableInfo = try await fixture.call(
      "SetRowFilter", filter, token: fixture.adminToken)
    var update = Edgecat_Catalog_V1_UpdateTableRequest()
    update.fullName = "main.s.t"
    var column = Edgecat_Catalog_V1_ColumnInfo()
    column.name = "email"
    column.type = "INT"
    update.columns = [column]
    await #expect {
      let _: Edgecat_Catalog_V1_TableInfo = try await fixture.call(
        "UpdateTable", update, token: fixture.adminToken)
    } throws: { error in
      guard let error = error as? RPCError else { return false }
      return error.code == .failedPrecondition && error.message.contains("STRING to INT")
    }
  }

  @Test("a partition keeps its column")
  func partitionColumnKept() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.createSchema("main", "s")
    var create = Edgecat_Catalog_V1_CreateTableRequest()
    create.catalogName = "main"
    create.schemaName = "s"
    create.name = "parted"
    create.columns = [("ts", "TIMESTAMP"), ("v", "INT")].map {
      var column = Edgecat_Catalog_V1_ColumnInfo()
      column.name = $0.0
      column.type = $0.1
      return column
    }
    create.partitionColumns = ["date(ts)"]
    let _: Edgecat_Catalog_V1_TableInfo = try await fixture.call(
      "CreateTable", create, token: fixture.adminToken)
    var update = Edgecat_Catalog_V1_UpdateTableRequest()
    update.fullName = "main.s.parted"
    update.columns = [create.columns[1]]
    await #expect {
      let _: Edgecat_Catalog_V1_TableInfo = try await fixture.call(
        "UpdateTable", update, token: fixture.adminToken)
    } throws: { error in
      guard let error = error as? RPCError else { return false }
      return error.code == .failedPrecondition && error.message.contains("date(ts)")
    }
  }

  @Test("two authorization headers are rejected")
  func twoTokens() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    var metadata = Metadata()
    metadata.add("authorization", "Bearer \(fixture.aliceToken)")
    metadata.add("authorization", "Bearer \(fixture.adminToken)")
    let client = RPCClient(endpoint: fixture.catalogEndpoint, group: fixture.group)
    defer { client.close() }
    await #expect {
      let _: Edgecat_Catalog_V1_ListCatalogsResponse = try await client.unary(
        "/edgecat.catalog.v1.CatalogService/ListCatalogs",
        Edgecat_Catalog_V1_ListCatalogsRequest(), metadata: metadata, timeout: .seconds(10))
    } throws: { error in
      (error as? RPCError)?.code == .unauthenticated
    }
  }

  @Test("lineage edges need existing securables")
  func lineageNeedsSecurables() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    await #expect {
      try await fixture.addEdges([("main.s.ghost", "device:press-01", "WRITES_TO")])
    } throws: { error in
      (error as? RPCError)?.code == .notFound
    }
  }

  @Test("a bound catalog's environments stay hidden")
  func environmentsHidden() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("upper", environments: ["staging"])
    var request = Edgecat_Catalog_V1_GetCatalogRequest()
    request.name = "upper"
    await #expect {
      let _: Edgecat_Catalog_V1_CatalogInfo = try await fixture.call(
        "GetCatalog", request, token: fixture.aliceToken, environment: "production")
    } throws: { error in
      guard let error = error as? RPCError else { return false }
      return error.code == .notFound && !error.message.contains("staging")
    }
  }

  @Test("a managed table with a view definition is rejected")
  func managedWithDefinition() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.createSchema("main", "s")
    var create = Edgecat_Catalog_V1_CreateTableRequest()
    create.catalogName = "main"
    create.schemaName = "s"
    create.name = "t"
    create.viewDefinition = "SELECT 1"
    await #expect {
      let _: Edgecat_Catalog_V1_TableInfo = try await fixture.call(
        "CreateTable", create, token: fixture.adminToken)
    } throws: { error in
      (error as? RPCError)?.code == .invalidArgument
    }
  }
}
