import EdgecatPolicy
import EdgecatProto
import EdgecatRPC
import Testing

/// How a test binds a function to a table.
enum BindingKind: String, CaseIterable, Sendable {
  case rowFilter
  case columnMask
}

/// What a user tries to drop.
enum DropTarget: String, CaseIterable, Sendable {
  case table
  case schema
  case catalog
}

extension CatalogFixture {
  /// Creates schema `main.<schema>` with tables `a` and `b`, volume `v` and function `f`.
  func createFilledSchema(_ schema: String) async throws(RPCError) {
    try await createSchema("main", schema)
    try await createTable("main", schema, "a")
    try await createTable("main", schema, "b")
    try await createVolume("main", schema, "v")
    try await createFunction("main", schema, "f", parameters: [("x", "BIGINT")], body: "x > 0")
  }

  /// Binds `function` (one BIGINT parameter) to column `id` of `table`.
  func bind(_ kind: BindingKind, _ function: String, to table: String) async throws(RPCError) {
    switch kind {
    case .rowFilter: try await setRowFilter(table, function: function, columns: ["id"])
    case .columnMask: try await setColumnMask(table, column: "id", function: function)
    }
  }
}

@Suite("Catalog drops", .serialized)
struct DropTests {
  @Test("non-empty schema needs force")
  func schemaWithoutForce() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.createFilledSchema("s")
    let error = await #expect(throws: RPCError.self) {
      try await fixture.deleteSchema("main.s", force: false)
    }
    #expect(error?.code == .failedPrecondition)
    #expect(error?.message.contains("main.s.a") == true)
    #expect(try await fixture.getSchema("main.s").fullName == "main.s")
    #expect(try await fixture.getTable("main.s.a").fullName == "main.s.a")
    #expect(fixture.securable("main.s.a"))
  }

  @Test("forced schema drop removes children and grants")
  func schemaWithForce() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.createFilledSchema("s")
    let user = "alice@example.com"
    try await fixture.grant(["USE_CATALOG"], on: .catalog, "main", to: user)
    try await fixture.grant(["USE_SCHEMA"], on: .schema, "main.s", to: user)
    try await fixture.grant(["SELECT"], on: .table, "main.s.a", to: user)
    try await fixture.grant(["EXECUTE"], on: .function, "main.s.f", to: user)

    let response = try await fixture.deleteSchema("main.s", force: true)
    let children = ["main.s.a", "main.s.b", "main.s.f", "main.s.v"]
    #expect(response.dropped.first == "main.s")
    #expect(Set(response.dropped) == Set(["main.s"] + children))
    #expect(response.dropped.count == 5)
    for name in ["main.s"] + children {
      #expect(!fixture.securable(name), "policy still has \(name)")
    }
    await #expect(throws: RPCError.self) { try await fixture.getTable("main.s.a") }

    // Objects created again under the old names start without the old grants.
    try await fixture.createSchema("main", "s")
    try await fixture.createTable("main", "s", "a")
    #expect(try fixture.policyEngine.listGrants(on: "main.s").isEmpty)
    #expect(try fixture.policyEngine.listGrants(on: "main.s.a").isEmpty)
    try await fixture.grant(["USE_SCHEMA"], on: .schema, "main.s", to: user)
    let error = await #expect(throws: RPCError.self) {
      try await fixture.getTable("main.s.a", token: fixture.aliceToken)
    }
    #expect(error?.code == .permissionDenied)
  }

  @Test("non-empty catalog needs force")
  func catalogWithoutForce() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.createFilledSchema("s")
    let error = await #expect(throws: RPCError.self) {
      try await fixture.deleteCatalog("main", force: false)
    }
    #expect(error?.code == .failedPrecondition)
    #expect(error?.message.contains("main.s") == true)
    #expect(try await fixture.getCatalog("main").name == "main")
    #expect(try await fixture.getTable("main.s.a").fullName == "main.s.a")
  }

  @Test("forced catalog drop removes everything in it")
  func catalogWithForce() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.createFilledSchema("s")
    try await fixture.createFilledSchema("t")
    try await fixture.createCatalog("other")
    try await fixture.createSchema("other", "s")
    let user = "alice@example.com"
    try await fixture.grant(["USE_CATALOG"], on: .catalog, "main", to: user)
    try await fixture.grant(["SELECT"], on: .table, "main.t.b", to: user)

    let response = try await fixture.deleteCatalog("main", force: true)
    let schemas = ["main.s", "main.t"]
    let objects = schemas.flatMap { schema in ["a", "b", "f", "v"].map { schema + "." + $0 } }
    #expect(response.dropped.first == "main")
    #expect(Set(response.dropped) == Set(["main"] + schemas + objects))
    #expect(response.dropped.count == 11)
    for name in ["main"] + schemas + objects {
      #expect(!fixture.securable(name), "policy still has \(name)")
    }
    #expect(fixture.securable("other.s"))
    #expect(try await fixture.getSchema("other.s").fullName == "other.s")

    try await fixture.createCatalog("main")
    #expect(try fixture.policyEngine.listGrants(on: "main").isEmpty)
  }

  @Test("bound function cannot be dropped", arguments: BindingKind.allCases)
  func boundFunction(_ kind: BindingKind) async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.createFilledSchema("s")
    try await fixture.bind(kind, "main.s.f", to: "main.s.a")
    let error = await #expect(throws: RPCError.self) {
      try await fixture.deleteFunction("main.s.f")
    }
    #expect(error?.code == .failedPrecondition)
    #expect(error?.message.contains("main.s.a") == true)
    #expect(try await fixture.getFunction("main.s.f").fullName == "main.s.f")
    #expect(fixture.securable("main.s.f"))
  }

  @Test("forced drop keeps a function bound elsewhere")
  func boundFunctionInForcedDrop() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.createFilledSchema("functions")
    try await fixture.createFilledSchema("data")
    try await fixture.bind(.rowFilter, "main.functions.f", to: "main.data.a")
    let error = await #expect(throws: RPCError.self) {
      try await fixture.deleteSchema("main.functions", force: true)
    }
    #expect(error?.code == .failedPrecondition)
    #expect(try await fixture.getFunction("main.functions.f").fullName == "main.functions.f")
    #expect(try await fixture.getTable("main.functions.a").fullName == "main.functions.a")
    #expect(fixture.securable("main.functions.a"))
  }

  @Test("forced drop takes a binding inside the schema")
  func bindingInsideForcedDrop() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.createFilledSchema("s")
    try await fixture.bind(.rowFilter, "main.s.f", to: "main.s.a")
    let response = try await fixture.deleteSchema("main.s", force: true)
    #expect(response.dropped.contains("main.s.f"))
    #expect(!fixture.securable("main.s.f"))
  }

  @Test("user without rights cannot drop", arguments: DropTarget.allCases)
  func dropDenied(_ target: DropTarget) async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.createFilledSchema("s")
    let user = "alice@example.com"
    try await fixture.grant(["USE_CATALOG"], on: .catalog, "main", to: user)
    try await fixture.grant(["USE_SCHEMA"], on: .schema, "main.s", to: user)
    try await fixture.grant(["SELECT", "MODIFY"], on: .table, "main.s.a", to: user)
    let error = await #expect(throws: RPCError.self) {
      switch target {
      case .table: try await fixture.deleteTable("main.s.a", token: fixture.aliceToken)
      case .schema:
        _ = try await fixture.deleteSchema("main.s", force: true, token: fixture.aliceToken)
      case .catalog:
        _ = try await fixture.deleteCatalog("main", force: true, token: fixture.aliceToken)
      }
    }
    #expect(error?.code == .permissionDenied)
    #expect(try await fixture.getCatalog("main").name == "main")
    #expect(try await fixture.getSchema("main.s").fullName == "main.s")
    #expect(try await fixture.getTable("main.s.a").fullName == "main.s.a")
    #expect(try await fixture.getFunction("main.s.f").fullName == "main.s.f")
    #expect(fixture.securable("main.s.a"))
  }

  @Test("schema owner drops another user's table")
  func schemaOwnerDrops() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    let alice = "alice@example.com"
    let bob = "bob@example.com"
    try await fixture.grant(["USE_CATALOG", "CREATE_SCHEMA"], on: .catalog, "main", to: bob)
    try await fixture.grant(["USE_CATALOG"], on: .catalog, "main", to: alice)
    let schema = try await fixture.createSchema("main", "s", token: fixture.bobToken)
    #expect(schema.owner == bob)
    try await fixture.grant(["USE_SCHEMA", "CREATE_TABLE"], on: .schema, "main.s", to: alice)
    let table = try await fixture.createTable("main", "s", "t", token: fixture.aliceToken)
    #expect(table.owner == alice)

    let response = try await fixture.deleteTable("main.s.t", token: fixture.bobToken)
    #expect(response.dropped == ["main.s.t"])
    #expect(!fixture.securable("main.s.t"))
    let error = await #expect(throws: RPCError.self) { try await fixture.getTable("main.s.t") }
    #expect(error?.code == .notFound)
  }

  @Test("table owner drops own table")
  func ownerDrops() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.createSchema("main", "s")
    let alice = "alice@example.com"
    try await fixture.grant(["USE_CATALOG"], on: .catalog, "main", to: alice)
    try await fixture.grant(["USE_SCHEMA", "CREATE_TABLE"], on: .schema, "main.s", to: alice)
    try await fixture.createTable("main", "s", "t", token: fixture.aliceToken)
    let response = try await fixture.deleteTable("main.s.t", token: fixture.aliceToken)
    #expect(response.dropped == ["main.s.t"])
    #expect(!fixture.securable("main.s.t"))
  }

  @Test("dropping the filtered table frees the function", arguments: BindingKind.allCases)
  func dropFilteredTable(_ kind: BindingKind) async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.createFilledSchema("s")
    try await fixture.bind(kind, "main.s.f", to: "main.s.a")
    try await fixture.deleteTable("main.s.a")
    let response = try await fixture.deleteFunction("main.s.f")
    #expect(response.dropped == ["main.s.f"])
    #expect(!fixture.securable("main.s.f"))
  }
}
