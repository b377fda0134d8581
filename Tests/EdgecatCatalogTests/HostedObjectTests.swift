import EdgecatProto
import EdgecatRPC
import Testing

/// Objects other services host: registered models of the registry and tables of telemetry.
@Suite("Hosted objects", .serialized)
struct HostedObjectTests {
  static func makeWorld() async throws -> CatalogFixture {
    let fixture = try await CatalogFixture.start()
    try await fixture.createCatalog("main")
    try await fixture.createSchema("main", "ml")
    try await fixture.grant(["USE_CATALOG"], on: .catalog, "main", to: "alice@example.com")
    try await fixture.grant(
      ["USE_SCHEMA", "CREATE_MODEL"], on: .schema, "main.ml", to: "alice@example.com")
    return fixture
  }

  func registerModel(_ fixture: CatalogFixture, _ name: String, for principal: String)
    async throws(RPCError) -> Edgecat_Catalog_V1_HostedObjectInfo
  {
    var request = Edgecat_Catalog_V1_RegisterHostedObjectRequest()
    request.type = .registeredModel
    request.catalogName = "main"
    request.schemaName = "ml"
    request.name = name
    request.comment = "defect classifier"
    return try await fixture.call(
      "RegisterHostedObject", request, token: fixture.serviceToken, onBehalfOf: principal)
  }

  @Test("a model is owned by the end user")
  func ownedByEndUser() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    let model = try await registerModel(fixture, "Defects", for: "alice@example.com")
    #expect(model.fullName == "main.ml.defects")
    #expect(model.owner == "alice@example.com")
    #expect(model.hostedBy == "catalog")
    let owner = try fixture.policyEngine.securable(named: "main.ml.defects").owner
    #expect(owner == "alice@example.com")
  }

  @Test("the end user needs CREATE_MODEL")
  func needsCreateModel() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    await #expect {
      _ = try await registerModel(fixture, "defects", for: "bob@example.com")
    } throws: { error in
      guard let error = error as? RPCError else { return false }
      return error.code == .permissionDenied && error.message.contains("CREATE_MODEL")
    }
  }

  @Test("users cannot register hosted objects")
  func usersRejected() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    var request = Edgecat_Catalog_V1_RegisterHostedObjectRequest()
    request.type = .registeredModel
    request.catalogName = "main"
    request.schemaName = "ml"
    request.name = "defects"
    await #expect {
      let _: Edgecat_Catalog_V1_HostedObjectInfo = try await fixture.call(
        "RegisterHostedObject", request, token: fixture.aliceToken)
    } throws: { error in
      (error as? RPCError)?.code == .permissionDenied
    }
  }

  @Test("a model and a table cannot share a name")
  func sharedNamespace() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    try await fixture.createTable("main", "ml", "defects")
    await #expect {
      _ = try await registerModel(fixture, "defects", for: "alice@example.com")
    } throws: { error in
      guard let error = error as? RPCError else { return false }
      return error.code == .alreadyExists && error.message.contains("table")
    }
  }

  @Test("adopting a table adds the missing columns")
  func adoptTable() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    try await fixture.createTable(
      "main", "ml", "inference_logs",
      columns: [("device_id", "STRING"), ("timestamp", "TIMESTAMP")])
    var request = Edgecat_Catalog_V1_RegisterHostedObjectRequest()
    request.type = .table
    request.catalogName = "main"
    request.schemaName = "ml"
    request.name = "inference_logs"
    request.adoptExisting = true
    request.columns = [("device_id", "STRING"), ("epoch", "STRING"), ("seq", "BIGINT")].map {
      var column = Edgecat_Catalog_V1_ColumnInfo()
      column.name = $0.0
      column.type = $0.1
      return column
    }
    let adopted: Edgecat_Catalog_V1_HostedObjectInfo = try await fixture.call(
      "RegisterHostedObject", request, token: fixture.serviceToken,
      onBehalfOf: "service:catalog")
    #expect(adopted.columns.map(\.name) == ["device_id", "timestamp", "epoch", "seq"])
    #expect(adopted.owner == CatalogFixture.admin)
    let table = try await fixture.getTable("main.ml.inference_logs")
    #expect(table.hostedBy == "catalog")
  }

  @Test("hosted table not deleted alone")
  func deleteHostedTable() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    try await fixture.createTable(
      "main", "ml", "inference_logs", columns: [("device_id", "STRING")])
    var register = Edgecat_Catalog_V1_RegisterHostedObjectRequest()
    register.type = .table
    register.catalogName = "main"
    register.schemaName = "ml"
    register.name = "inference_logs"
    register.adoptExisting = true
    let _: Edgecat_Catalog_V1_HostedObjectInfo = try await fixture.call(
      "RegisterHostedObject", register, token: fixture.serviceToken,
      onBehalfOf: "service:catalog")
    var request = Edgecat_Catalog_V1_DeleteTableRequest()
    request.fullName = "main.ml.inference_logs"
    await #expect {
      let _: Edgecat_Catalog_V1_DeleteResponse = try await fixture.call(
        "DeleteTable", request, token: fixture.adminToken)
    } throws: { error in
      guard let error = error as? RPCError else { return false }
      return error.code == .failedPrecondition
        && error.message.hasSuffix(
          "; to delete it, delete its schema with force")
    }
  }

  @Test("force drop of the schema reaches models")
  func forceDrop() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    _ = try await registerModel(fixture, "defects", for: "alice@example.com")
    let response = try await fixture.deleteSchema("main.ml", force: true)
    #expect(response.dropped == ["main.ml", "main.ml.defects"])
    #expect(!fixture.securable("main.ml.defects"))
  }

  @Test("listing shows models the user may see")
  func listing() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    _ = try await registerModel(fixture, "mine", for: "alice@example.com")
    _ = try await registerModel(fixture, "theirs", for: CatalogFixture.admin)
    var request = Edgecat_Catalog_V1_ListHostedObjectsRequest()
    request.type = .registeredModel
    let page: Edgecat_Catalog_V1_ListHostedObjectsResponse = try await fixture.call(
      "ListHostedObjects", request, token: fixture.aliceToken)
    #expect(page.objects.map(\.fullName) == ["main.ml.mine"])
  }
}
