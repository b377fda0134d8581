import EdgecatProto
import EdgecatRPC
import Testing

/// The setup of the seed document applied through the catalog's RPCs: a production catalog
/// with three schemas, the document's four grants, a region row filter and a PII mask, then
/// the access each group ends up with.
@Suite("Seed setup", .serialized)
struct SeedSetupTests {
  static let groups = [
    "data-engineers", "ml-engineers", "edge-devices", "analysts", "global-admin", "pii-access",
  ]

  /// Creates the principals, applies the statements and returns the fixture.
  static func applySetup() async throws -> CatalogFixture {
    let fixture = try await CatalogFixture.start()
    for group in groups { try await fixture.createGroup(group) }
    _ = try await fixture.createUser("dana@example.com", attributes: ["region": "eu"])
    _ = try await fixture.createUser("mel@example.com", attributes: ["region": "us"])
    _ = try await fixture.createUser("device:press-01", attributes: ["region": "eu"])
    try await fixture.addMember("dana@example.com", to: "data-engineers")
    try await fixture.addMember("mel@example.com", to: "ml-engineers")
    try await fixture.addMember("device:press-01", to: "edge-devices")

    // CREATE CATALOG IF NOT EXISTS production; and the three schemas, twice to show that
    // IF NOT EXISTS returns what exists.
    for _ in 0..<2 {
      var catalog = Edgecat_Catalog_V1_CreateCatalogRequest()
      catalog.name = "production"
      catalog.ifNotExists = true
      let _: Edgecat_Catalog_V1_CatalogInfo = try await fixture.call(
        "CreateCatalog", catalog, token: fixture.adminToken)
      for schemaName in ["ml_models", "feature_store", "edge_metrics"] {
        var schema = Edgecat_Catalog_V1_CreateSchemaRequest()
        schema.catalogName = "production"
        schema.name = schemaName
        schema.ifNotExists = true
        let _: Edgecat_Catalog_V1_SchemaInfo = try await fixture.call(
          "CreateSchema", schema, token: fixture.adminToken)
      }
    }
    try await fixture.grant(["USE_CATALOG"], on: .catalog, "production", to: "data-engineers")
    try await fixture.grant(
      ["USE_SCHEMA"], on: .schema, "production.ml_models", to: "ml-engineers")
    try await fixture.grant(
      ["SELECT"], on: .schema, "production.feature_store", to: "ml-engineers")
    try await fixture.grant(
      ["CREATE_TABLE"], on: .schema, "production.edge_metrics", to: "edge-devices")

    try await fixture.createTable(
      "production", "ml_models", "predictions",
      columns: [("device_id", "STRING"), ("region", "STRING"), ("prediction", "DOUBLE")])
    try await fixture.createTable(
      "production", "feature_store", "customers",
      columns: [("customer_id", "BIGINT"), ("email", "STRING")])
    try await fixture.createFunction(
      "production", "ml_models", "region_filter", parameters: [("region", "STRING")],
      body: "IF(IS_ACCOUNT_GROUP_MEMBER('global-admin'), true, region = current_user_region())")
    try await fixture.createFunction(
      "production", "ml_models", "mask_pii", parameters: [("val", "STRING")],
      body: "IF(IS_ACCOUNT_GROUP_MEMBER('pii-access'), val, '***MASKED***')")

    var filter = Edgecat_Catalog_V1_SetRowFilterRequest()
    filter.tableFullName = "production.ml_models.predictions"
    filter.functionFullName = "production.ml_models.region_filter"
    filter.inputColumns = ["region"]
    let _: Edgecat_Catalog_V1_TableInfo = try await fixture.call(
      "SetRowFilter", filter, token: fixture.adminToken)
    var mask = Edgecat_Catalog_V1_SetColumnMaskRequest()
    mask.tableFullName = "production.feature_store.customers"
    mask.column = "email"
    mask.functionFullName = "production.ml_models.mask_pii"
    let _: Edgecat_Catalog_V1_TableInfo = try await fixture.call(
      "SetColumnMask", mask, token: fixture.adminToken)
    return fixture
  }

  @Test("data engineers may use the catalog")
  func dataEngineers() async throws {
    let fixture = try await Self.applySetup()
    defer { Task { await fixture.stop() } }
    let decision = try await fixture.check(
      "dana@example.com", "USE_CATALOG", .catalog, "production")
    #expect(decision.allowed)
  }

  @Test("ml engineers lack USE_CATALOG")
  func mlEngineersLackUsage() async throws {
    let fixture = try await Self.applySetup()
    defer { Task { await fixture.stop() } }
    let decision = try await fixture.check(
      "mel@example.com", "SELECT", .table, "production.feature_store.customers")
    #expect(!decision.allowed)
    #expect(decision.missingPrivileges.first?.contains("USE_CATALOG") == true)
  }

  @Test("edge devices lack usage")
  func edgeDevicesLackUsage() async throws {
    let fixture = try await Self.applySetup()
    defer { Task { await fixture.stop() } }
    let create = try await fixture.check(
      "device:press-01", "CREATE_TABLE", .schema, "production.edge_metrics")
    #expect(!create.allowed)
    #expect(create.missingPrivileges.contains { $0.contains("USE_CATALOG") })
    #expect(create.missingPrivileges.contains { $0.contains("USE_SCHEMA") })
  }

  @Test("added usage lets ml engineers read masked rows")
  func mlEngineersAfterUsage() async throws {
    let fixture = try await Self.applySetup()
    defer { Task { await fixture.stop() } }
    try await fixture.grant(["USE_CATALOG"], on: .catalog, "production", to: "ml-engineers")
    try await fixture.grant(
      ["USE_SCHEMA"], on: .schema, "production.feature_store", to: "ml-engineers")
    let access = try await fixture.resolveTableAccess(
      "mel@example.com", "production.feature_store.customers")
    #expect(access.allowed)
    #expect(access.columnMasks.map(\.column) == ["email"])
    #expect(access.columnMasks.first?.expression.contains("pii-access") == true)
  }

  @Test("region filter binds the region column")
  func regionFilter() async throws {
    let fixture = try await Self.applySetup()
    defer { Task { await fixture.stop() } }
    let access = try await fixture.resolveTableAccess(
      CatalogFixture.admin, "production.ml_models.predictions")
    #expect(access.allowed)
    #expect(access.rowFilter.contains("current_user_region()"))
    #expect(access.rowFilter.contains("region"))
    let table = try await fixture.getTable("production.ml_models.predictions")
    #expect(table.rowFilter?.functionFullName == "production.ml_models.region_filter")
    #expect(table.rowFilter?.inputColumns == ["region"])
  }

  @Test("an ml engineer cannot list feature tables without usage")
  func listingWithoutUsage() async throws {
    let fixture = try await Self.applySetup()
    defer { Task { await fixture.stop() } }
    let token = try await fixture.createUser("max@example.com")
    try await fixture.addMember("max@example.com", to: "ml-engineers")
    var request = Edgecat_Catalog_V1_ListTablesRequest()
    request.schemaFullName = "production.feature_store"
    let before: Edgecat_Catalog_V1_ListTablesResponse = try await fixture.call(
      "ListTables", request, token: token)
    #expect(before.tables.isEmpty)
    try await fixture.grant(["USE_CATALOG"], on: .catalog, "production", to: "ml-engineers")
    try await fixture.grant(
      ["USE_SCHEMA"], on: .schema, "production.feature_store", to: "ml-engineers")
    let after: Edgecat_Catalog_V1_ListTablesResponse = try await fixture.call(
      "ListTables", request, token: token)
    #expect(after.tables.map(\.name) == ["customers"])
  }
}
