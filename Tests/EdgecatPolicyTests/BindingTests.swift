import EdgecatCore
import EdgecatPolicy
import EdgecatTestSupport
import Testing

@Suite("Row filters and column masks")
struct BindingTests {
  /// Opens an engine with table `c.s.t`, three functions and a `reader` who may read them.
  static func world() async throws -> (PolicyEngine, TemporaryDirectory) {
    let directory = TemporaryDirectory()
    let engine = try await openEngine(directory)
    try await engine.user("reader")
    try await engine.register(.catalog, "c")
    try await engine.register(.schema, "c.s")
    try await engine.register(
      .table, "c.s.t", columns: ["region", "ssn", "country", "tax-id"])
    try await engine.register(
      .function, "c.s.by_region",
      function: FunctionDefinition(
        parameters: [FunctionParameter(name: "r", type: "string")],
        body: "r = current_user_region() OR is_account_group_member('r')"))
    try await engine.register(
      .function, "c.s.mask_ssn",
      function: FunctionDefinition(
        parameters: [
          FunctionParameter(name: "value", type: "STRING"),
          FunctionParameter(name: "country", type: "STRING"),
        ],
        body: "IF(country = 'US', 'xxx-' || substr(value, -4), value)"))
    try await engine.register(
      .function, "c.s.redact",
      function: FunctionDefinition(
        parameters: [FunctionParameter(name: "v", type: "STRING")], body: "upper(t.v) || v"))
    try await engine.grant([.useCatalog], on: "c", to: "reader", context: admin)
    try await engine.grant([.useSchema, .select], on: "c.s", to: "reader", context: admin)
    return (engine, directory)
  }

  @Test("row filter replaces parameters")
  func rowFilter() async throws {
    let (engine, directory) = try await Self.world()
    defer { directory.remove() }
    try await engine.setRowFilter(
      on: "c.s.t", function: "c.s.by_region", columns: ["Region"], context: admin)
    let access = try engine.resolveTableAccess(principal: "reader", table: "c.s.t")
    #expect(access.decision.allowed)
    #expect(access.rowFilter == "(region = current_user_region() OR is_account_group_member('r'))")
  }

  @Test("mask binds column then extras")
  func mask() async throws {
    let (engine, directory) = try await Self.world()
    defer { directory.remove() }
    try await engine.setColumnMask(
      on: "c.s.t", column: "ssn", function: "c.s.mask_ssn", extraColumns: ["country"],
      context: admin)
    let access = try engine.resolveTableAccess(principal: "reader", table: "c.s.t")
    #expect(access.columnMasks.map(\.column) == ["ssn"])
    #expect(
      access.columnMasks.first?.expression
        == "(IF(country = 'US', 'xxx-' || substr(ssn, -4), ssn))")
  }

  @Test("qualified names and odd columns")
  func qualifiedAndQuoted() async throws {
    let (engine, directory) = try await Self.world()
    defer { directory.remove() }
    try await engine.setColumnMask(
      on: "c.s.t", column: "tax-id", function: "c.s.redact", context: admin)
    let access = try engine.resolveTableAccess(principal: "reader", table: "c.s.t")
    #expect(access.columnMasks.first?.expression == #"(upper(t.v) || "tax-id")"#)
  }

  @Test("setting again replaces")
  func replace() async throws {
    let (engine, directory) = try await Self.world()
    defer { directory.remove() }
    try await engine.setColumnMask(
      on: "c.s.t", column: "ssn", function: "c.s.mask_ssn", extraColumns: ["country"],
      context: admin)
    try await engine.setColumnMask(
      on: "c.s.t", column: "ssn", function: "c.s.redact", context: admin)
    let access = try engine.resolveTableAccess(principal: "reader", table: "c.s.t")
    #expect(access.columnMasks.map(\.expression) == ["(upper(t.v) || ssn)"])
  }

  @Test("unbinding removes the filter")
  func unbind() async throws {
    let (engine, directory) = try await Self.world()
    defer { directory.remove() }
    try await engine.setRowFilter(
      on: "c.s.t", function: "c.s.by_region", columns: ["region"], context: admin)
    try await engine.removeRowFilter(on: "c.s.t", context: admin)
    #expect(try engine.resolveTableAccess(principal: "reader", table: "c.s.t").rowFilter == nil)
  }

  @Test("dropping a bound function fails")
  func dropBound() async throws {
    let (engine, directory) = try await Self.world()
    defer { directory.remove() }
    try await engine.setRowFilter(
      on: "c.s.t", function: "c.s.by_region", columns: ["region"], context: admin)
    let error = await #expect(throws: PolicyError.self) {
      try await engine.dropSecurable("c.s.by_region", context: admin)
    }
    #expect(error?.code == .failedPrecondition)
  }

  @Test("dropping table and function together")
  func dropTogether() async throws {
    let (engine, directory) = try await Self.world()
    defer { directory.remove() }
    try await engine.setRowFilter(
      on: "c.s.t", function: "c.s.by_region", columns: ["region"], context: admin)
    try await engine.dropSecurable("c.s", context: admin)
    #expect(throws: PolicyError.self) { try engine.securable(named: "c.s.by_region") }
  }

  @Test("wrong column count is invalid")
  func arity() async throws {
    let (engine, directory) = try await Self.world()
    defer { directory.remove() }
    let error = await #expect(throws: PolicyError.self) {
      try await engine.setRowFilter(
        on: "c.s.t", function: "c.s.by_region", columns: ["region", "ssn"], context: admin)
    }
    #expect(error?.code == .invalidArgument)
  }

  @Test("unknown column is invalid")
  func unknownColumn() async throws {
    let (engine, directory) = try await Self.world()
    defer { directory.remove() }
    let error = await #expect(throws: PolicyError.self) {
      try await engine.setRowFilter(
        on: "c.s.t", function: "c.s.by_region", columns: ["city"], context: admin)
    }
    #expect(error?.code == .invalidArgument)
  }

  @Test("binding needs execute")
  func needsExecute() async throws {
    let (engine, directory) = try await Self.world()
    defer { directory.remove() }
    try await engine.transferOwnership(of: "c.s.t", to: "reader", context: admin)
    let error = await #expect(throws: PolicyError.self) {
      try await engine.setRowFilter(
        on: "c.s.t", function: "c.s.by_region", columns: ["region"], context: acting("reader"))
    }
    #expect(error?.code == .permissionDenied)
  }

  @Test(
    "bad body is invalid",
    arguments: [
      "", "SELECT 1", "a FROM t", "(a", "a)", "'open", "a; b", "EXISTS (x)", "a = 1 -- note",
      "a /* note */ = 1",
    ])
  func badBody(_ body: String) async throws {
    let (engine, directory) = try await Self.world()
    defer { directory.remove() }
    let error = await #expect(throws: PolicyError.self) {
      try await engine.register(
        .function, "c.s.bad",
        function: FunctionDefinition(
          parameters: [FunctionParameter(name: "a", type: "INT")], body: body))
    }
    #expect(error?.code == .invalidArgument)
  }

  @Test("unknown parameter type is invalid")
  func badType() async throws {
    let (engine, directory) = try await Self.world()
    defer { directory.remove() }
    let error = await #expect(throws: PolicyError.self) {
      try await engine.register(
        .function, "c.s.bad",
        function: FunctionDefinition(
          parameters: [FunctionParameter(name: "a", type: "VARCHAR")], body: "a"))
    }
    #expect(error?.code == .invalidArgument)
  }
}
