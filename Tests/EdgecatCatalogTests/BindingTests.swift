import EdgecatProto
import EdgecatRPC
import Testing

extension CatalogFixture {
  /// Creates table `main.s.people` (id BIGINT, email STRING, region STRING) and the functions
  /// the binding tests bind to it.
  func createPeople() async throws(RPCError) {
    try await createCatalog("main")
    try await createSchema("main", "s")
    try await createTable(
      "main", "s", "people", columns: [("id", "BIGINT"), ("email", "STRING"), ("region", "STRING")])
    try await createFunction(
      "main", "s", "by_region", parameters: [("r", "STRING")], body: "r = current_user_region()")
    try await createFunction(
      "main", "s", "mask_email", parameters: [("e", "STRING")],
      body: "CASE WHEN is_account_group_member('pii-access') THEN e ELSE '***' END")
    try await createFunction(
      "main", "s", "mask_unless_region", parameters: [("e", "STRING"), ("r", "STRING")],
      body: "IF(r = current_user_region(), e, '***')")
    try await createFunction("main", "s", "zero", parameters: [("v", "INT")], body: "v * 0")
    try await createFunction(
      "main", "s", "length_of", parameters: [("e", "STRING")], returnType: "INT",
      body: "length(e)")
  }

  /// Grants alice the usage privileges on `main.s`, SELECT and `tablePrivileges` on
  /// `main.s.people`, and `functionPrivileges` on `by_region` and `mask_email`.
  func grantAlice(tablePrivileges: [String] = [], functionPrivileges: [String] = [])
    async throws(RPCError)
  {
    let user = "alice@example.com"
    try await grant(["USE_CATALOG"], on: .catalog, "main", to: user)
    try await grant(["USE_SCHEMA"], on: .schema, "main.s", to: user)
    try await grant(["SELECT"] + tablePrivileges, on: .table, "main.s.people", to: user)
    if !functionPrivileges.isEmpty {
      try await grant(functionPrivileges, on: .function, "main.s.by_region", to: user)
      try await grant(functionPrivileges, on: .function, "main.s.mask_email", to: user)
    }
  }

  /// Binds the example function of `kind` to `main.s.people`.
  @discardableResult
  func bindExample(_ kind: BindingKind, token: String? = nil)
    async throws(RPCError) -> Edgecat_Catalog_V1_TableInfo
  {
    switch kind {
    case .rowFilter:
      try await setRowFilter(
        "main.s.people", function: "main.s.by_region", columns: ["region"], token: token)
    case .columnMask:
      try await setColumnMask(
        "main.s.people", column: "email", function: "main.s.mask_email", token: token)
    }
  }
}

@Suite("Row filter and column mask bindings", .serialized)
struct BindingTests {
  @Test("mask on a missing column")
  func maskMissingColumn() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createPeople()
    let error = await #expect(throws: RPCError.self) {
      try await fixture.setColumnMask(
        "main.s.people", column: "phone", function: "main.s.mask_email")
    }
    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains("\"phone\"") == true)
    #expect(error?.message.contains("id, email, region") == true)
  }

  @Test("row filter with a missing column")
  func filterMissingColumn() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createPeople()
    let error = await #expect(throws: RPCError.self) {
      try await fixture.setRowFilter(
        "main.s.people", function: "main.s.by_region", columns: ["zone"])
    }
    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains("\"zone\"") == true)
  }

  @Test("row filter with the wrong column count", arguments: [[], ["region", "email"]])
  func filterArity(_ columns: [String]) async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createPeople()
    let error = await #expect(throws: RPCError.self) {
      try await fixture.setRowFilter(
        "main.s.people", function: "main.s.by_region", columns: columns)
    }
    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains("passes \(columns.count) columns") == true)
    #expect(try await fixture.getTable("main.s.people").rowFilter == nil)
  }

  @Test(
    "mask whose parameter or result has another type",
    arguments: [
      ("email", "main.s.zero"), ("id", "main.s.mask_email"), ("email", "main.s.length_of"),
    ])
  func maskTypeMismatch(_ column: String, _ function: String) async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createPeople()
    let error = await #expect(throws: RPCError.self) {
      try await fixture.setColumnMask("main.s.people", column: column, function: function)
    }
    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains("column \(column) is") == true)
    #expect(try await fixture.getTable("main.s.people").columnMasks.isEmpty)
  }

  @Test("mask with the wrong column count")
  func maskArity() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createPeople()
    let error = await #expect(throws: RPCError.self) {
      try await fixture.setColumnMask(
        "main.s.people", column: "email", function: "main.s.mask_unless_region")
    }
    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains("takes 2 parameters") == true)
  }

  @Test("row filter parameter of another type is rejected")
  func rowFilterParameterType() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createPeople()
    try await fixture.createFunction(
      "main", "s", "above_three", parameters: [("n", "INT")], body: "n > 3")
    let error = await #expect(throws: RPCError.self) {
      try await fixture.setRowFilter(
        "main.s.people", function: "main.s.above_three", columns: ["region"])
    }
    #expect(error?.code == .invalidArgument)
    #expect(
      error?.message.contains("parameter n of function main.s.above_three is INT") == true)
    #expect(error?.message.contains("column region bound to it is STRING") == true)
    let table = try await fixture.getTable("main.s.people")
    #expect(table.rowFilter == nil)
  }

  @Test("mask using column of another type is rejected")
  func maskUsingColumnType() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createPeople()
    let error = await #expect(throws: RPCError.self) {
      try await fixture.setColumnMask(
        "main.s.people", column: "email", function: "main.s.mask_unless_region", using: ["id"])
    }
    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains("parameter r of function") == true)
    #expect(error?.message.contains("column id bound to it is BIGINT") == true)
    let table = try await fixture.getTable("main.s.people")
    #expect(table.columnMasks.isEmpty)
  }

  @Test("row filter shows in table and policy")
  func rowFilterShown() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createPeople()
    let updated = try await fixture.setRowFilter(
      "main.s.people", function: "MAIN.S.By_Region", columns: ["REGION"])
    #expect(updated.rowFilter?.functionFullName == "main.s.by_region")
    let table = try await fixture.getTable("main.s.people")
    #expect(table.rowFilter?.functionFullName == "main.s.by_region")
    #expect(table.rowFilter?.inputColumns == ["region"])
    let access = try await fixture.resolveTableAccess("main.s.people")
    #expect(access.allowed)
    #expect(access.rowFilter == "(region = current_user_region())")
  }

  @Test("setting a row filter again replaces it")
  func rowFilterReplaced() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createPeople()
    try await fixture.bindExample(.rowFilter)
    try await fixture.createFunction(
      "main", "s", "same", parameters: [("a", "STRING"), ("b", "STRING")], body: "a = b")
    try await fixture.setRowFilter(
      "main.s.people", function: "main.s.same", columns: ["email", "region"])
    let table = try await fixture.getTable("main.s.people")
    #expect(table.rowFilter?.functionFullName == "main.s.same")
    #expect(table.rowFilter?.inputColumns == ["email", "region"])
    #expect(try await fixture.resolveTableAccess("main.s.people").rowFilter == "(email = region)")
  }

  @Test("column mask shows in table and policy")
  func columnMaskShown() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createPeople()
    try await fixture.setColumnMask(
      "main.s.people", column: "email", function: "main.s.mask_unless_region", using: ["region"])
    let table = try await fixture.getTable("main.s.people")
    #expect(table.columnMasks["email"]?.functionFullName == "main.s.mask_unless_region")
    #expect(table.columnMasks["email"]?.usingColumns == ["region"])
    let masks = try await fixture.resolveTableAccess("main.s.people").columnMasks
    #expect(masks.map(\.column) == ["email"])
    #expect(masks.map(\.expression) == ["(IF(region = current_user_region(), email, '***'))"])
  }

  @Test("user without MANAGE cannot bind", arguments: BindingKind.allCases)
  func bindDenied(_ kind: BindingKind) async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createPeople()
    try await fixture.grantAlice(tablePrivileges: ["MODIFY"], functionPrivileges: ["EXECUTE"])
    let error = await #expect(throws: RPCError.self) {
      try await fixture.bindExample(kind, token: fixture.aliceToken)
    }
    #expect(error?.code == .permissionDenied)
    let table = try await fixture.getTable("main.s.people")
    #expect(table.rowFilter == nil)
    #expect(table.columnMasks.isEmpty)
    let access = try await fixture.resolveTableAccess("main.s.people")
    #expect(access.rowFilter == "")
    #expect(access.columnMasks.isEmpty)
  }

  @Test("MANAGE without EXECUTE cannot bind", arguments: BindingKind.allCases)
  func bindWithoutExecute(_ kind: BindingKind) async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createPeople()
    try await fixture.grantAlice(tablePrivileges: ["MANAGE"])
    let error = await #expect(throws: RPCError.self) {
      try await fixture.bindExample(kind, token: fixture.aliceToken)
    }
    #expect(error?.code == .permissionDenied)
    #expect(error?.message.contains("EXECUTE") == true)
  }

  @Test("MANAGE and EXECUTE allow binding", arguments: BindingKind.allCases)
  func bindWithManage(_ kind: BindingKind) async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createPeople()
    try await fixture.grantAlice(tablePrivileges: ["MANAGE"], functionPrivileges: ["EXECUTE"])
    let table = try await fixture.bindExample(kind, token: fixture.aliceToken)
    let access = try await fixture.resolveTableAccess("main.s.people")
    switch kind {
    case .rowFilter:
      #expect(table.rowFilter?.functionFullName == "main.s.by_region")
      #expect(access.rowFilter == "(region = current_user_region())")
    case .columnMask:
      #expect(table.columnMasks["email"]?.functionFullName == "main.s.mask_email")
      #expect(access.columnMasks.map(\.column) == ["email"])
    }
  }

  @Test("DropRowFilter removes the filter")
  func dropRowFilter() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createPeople()
    try await fixture.bindExample(.rowFilter)
    let updated = try await fixture.dropRowFilter("main.s.people")
    #expect(updated.rowFilter == nil)
    #expect(try await fixture.getTable("main.s.people").rowFilter == nil)
    #expect(try await fixture.resolveTableAccess("main.s.people").rowFilter == "")
    try await fixture.deleteFunction("main.s.by_region")
    #expect(!fixture.securable("main.s.by_region"))
  }

  @Test("UpdateTable keeps bound columns", arguments: BindingKind.allCases)
  func removeBoundColumn(_ kind: BindingKind) async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createPeople()
    try await fixture.bindExample(kind)
    let error = await #expect(throws: RPCError.self) {
      try await fixture.updateColumns("main.s.people", [("id", "BIGINT")])
    }
    #expect(error?.code == .failedPrecondition)
    let columns = try await fixture.getTable("main.s.people").columns.map(\.name)
    #expect(columns == ["id", "email", "region"])
  }

  @Test("UpdateTable may add columns beside bound ones")
  func addColumnBesideBinding() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createPeople()
    try await fixture.bindExample(.rowFilter)
    try await fixture.bindExample(.columnMask)
    let updated = try await fixture.updateColumns(
      "main.s.people",
      [("id", "BIGINT"), ("email", "STRING"), ("region", "STRING"), ("age", "INT")])
    #expect(updated.columns.map(\.name) == ["id", "email", "region", "age"])
    #expect(updated.rowFilter?.inputColumns == ["region"])
  }

  @Test("UpdateTable keeps a mask's using column")
  func removeUsingColumn() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createPeople()
    try await fixture.setColumnMask(
      "main.s.people", column: "email", function: "main.s.mask_unless_region", using: ["region"])
    let error = await #expect(throws: RPCError.self) {
      try await fixture.updateColumns("main.s.people", [("id", "BIGINT"), ("email", "STRING")])
    }
    #expect(error?.code == .failedPrecondition)
    #expect(error?.message.contains("\"region\"") == true)
  }

  @Test("DropColumnMask removes the mask")
  func dropColumnMask() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createPeople()
    try await fixture.bindExample(.columnMask)
    let updated = try await fixture.dropColumnMask("main.s.people", column: "EMAIL")
    #expect(updated.columnMasks.isEmpty)
    #expect(try await fixture.getTable("main.s.people").columnMasks.isEmpty)
    #expect(try await fixture.resolveTableAccess("main.s.people").columnMasks.isEmpty)
  }

  @Test("DropColumnMask on an unknown column")
  func dropMaskOfUnknownColumn() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createPeople()
    try await fixture.bindExample(.columnMask)
    let error = await #expect(throws: RPCError.self) {
      try await fixture.dropColumnMask("main.s.people", column: "emial")
    }
    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains("\"emial\"") == true)
    #expect(error?.message.contains("id, email, region") == true)
    let masks = try await fixture.getTable("main.s.people").columnMasks
    #expect(masks.keys.sorted() == ["email"])
  }
}
