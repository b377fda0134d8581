import EdgecatProto
import EdgecatRPC
import Testing

/// A function definition that CreateFunction should accept or reject.
struct FunctionCase: Sendable, CustomTestStringConvertible {
  let body: String
  var parameters: [(String, String)] = [("x", "INT")]
  /// Text that the INVALID_ARGUMENT message must contain; unused for valid cases.
  var cause: String = ""

  var testDescription: String { body.isEmpty ? "empty body" : body }
}

@Suite("Catalog functions", .serialized)
struct FunctionTests {
  static let validCases = [
    FunctionCase(
      body: "region = current_user_region() OR is_account_group_member('global-admin')",
      parameters: [("region", "STRING")]),
    FunctionCase(
      body: "CASE WHEN is_account_group_member('pii-access') THEN email ELSE '***' END",
      parameters: [("email", "STRING")]),
    FunctionCase(body: "IF(x > 0, x, 0)"),
    FunctionCase(body: "current_user_attribute('team') = 'ml' AND x BETWEEN 1 AND 10"),
  ]

  static let invalidBodies = [
    FunctionCase(body: "(SELECT 1 FROM t)", cause: "read tables"),
    FunctionCase(body: "x = (SELECT max(x))", cause: "subqueries"),
    FunctionCase(body: "EXISTS (SELECT 1)", cause: "EXISTS"),
    FunctionCase(body: "y > 0", cause: "no such column: y"),
    FunctionCase(body: "nosuch(x)", cause: "no such function: nosuch"),
    FunctionCase(body: "x + * 1", cause: "syntax error"),
    FunctionCase(body: "", cause: "empty"),
    FunctionCase(body: "   ", cause: "empty"),
    FunctionCase(body: "1; DROP TABLE x", cause: "';'"),
    FunctionCase(body: "x > 0 -- note", cause: "comment"),
    FunctionCase(body: "x > 0 /* note */", cause: "comment"),
    FunctionCase(body: "count(*) > 0", cause: "aggregate"),
    FunctionCase(body: "load_extension('x') IS NULL", cause: "load_extension"),
  ]

  static let invalidParameters = [
    FunctionCase(body: "x > 0", parameters: [("x", "VARCHAR2")], cause: "'VARCHAR2'"),
    FunctionCase(
      body: "x > 0", parameters: [("x", "INT"), ("X", "STRING")], cause: "parameter 'x' twice"),
    FunctionCase(body: "1 = 1", parameters: [("a b", "INT")], cause: "'a b'"),
  ]

  private func start() async throws -> CatalogFixture {
    let fixture = try await CatalogFixture.start()
    try await fixture.createCatalog("main")
    try await fixture.createSchema("main", "s")
    return fixture
  }

  @Test("valid body is created", arguments: validCases)
  func validBody(_ definition: FunctionCase) async throws {
    let fixture = try await start()
    defer { Task { await fixture.stop() } }
    let created = try await fixture.createFunction(
      "main", "s", "f", parameters: definition.parameters, body: definition.body)
    #expect(created.fullName == "main.s.f")
    #expect(created.body == definition.body)
    #expect(created.parameters.map(\.name) == definition.parameters.map { $0.0 })
    #expect(try fixture.policyEngine.securable(named: "main.s.f").function?.body == definition.body)
    #expect(try await fixture.getFunction("main.s.f").body == definition.body)
  }

  @Test("invalid body is INVALID_ARGUMENT", arguments: invalidBodies + invalidParameters)
  func invalidDefinition(_ definition: FunctionCase) async throws {
    let fixture = try await start()
    defer { Task { await fixture.stop() } }
    let error = await #expect(throws: RPCError.self) {
      try await fixture.createFunction(
        "main", "s", "f", parameters: definition.parameters, body: definition.body)
    }
    #expect(error?.code == .invalidArgument)
    #expect(
      error?.message.contains(definition.cause) == true,
      "message \(error?.message ?? "") lacks \(definition.cause)")
    #expect(!fixture.securable("main.s.f"))
    let lookup = await #expect(throws: RPCError.self) { try await fixture.getFunction("main.s.f") }
    #expect(lookup?.code == .notFound)
  }

  @Test("user with CREATE_FUNCTION owns the function")
  func userCreates() async throws {
    let fixture = try await start()
    defer { Task { await fixture.stop() } }
    let user = "alice@example.com"
    try await fixture.grant(["USE_CATALOG"], on: .catalog, "main", to: user)
    try await fixture.grant(["USE_SCHEMA", "CREATE_FUNCTION"], on: .schema, "main.s", to: user)
    let created = try await fixture.createFunction(
      "main", "s", "f", parameters: [("x", "INT")], body: "x > 0", token: fixture.aliceToken)
    #expect(created.owner == user)
    let registered = try fixture.policyEngine.securable(named: "main.s.f")
    #expect(registered.owner == user)
    #expect(registered.function?.body == "x > 0")
  }

  @Test("user without CREATE_FUNCTION is denied")
  func userDenied() async throws {
    let fixture = try await start()
    defer { Task { await fixture.stop() } }
    let user = "alice@example.com"
    try await fixture.grant(["USE_CATALOG"], on: .catalog, "main", to: user)
    try await fixture.grant(["USE_SCHEMA"], on: .schema, "main.s", to: user)
    let error = await #expect(throws: RPCError.self) {
      try await fixture.createFunction(
        "main", "s", "f", parameters: [("x", "INT")], body: "x > 0", token: fixture.aliceToken)
    }
    #expect(error?.code == .permissionDenied)
    #expect(error?.message.contains("CREATE_FUNCTION") == true)
    #expect(!fixture.securable("main.s.f"))
  }

  @Test("parameter types fold to upper case")
  func typeCase() async throws {
    let fixture = try await start()
    defer { Task { await fixture.stop() } }
    let created = try await fixture.createFunction(
      "main", "s", "f", parameters: [("Region", "string")], body: "region = 'eu'")
    #expect(created.parameters.map(\.type) == ["STRING"])
    #expect(created.parameters.map(\.name) == ["region"])
  }

  @Test("unknown return type is INVALID_ARGUMENT")
  func badReturnType() async throws {
    let fixture = try await start()
    defer { Task { await fixture.stop() } }
    let error = await #expect(throws: RPCError.self) {
      try await fixture.createFunction(
        "main", "s", "f", parameters: [("x", "INT")], returnType: "NUMBER", body: "x > 0")
    }
    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains("'NUMBER'") == true)
  }
}
