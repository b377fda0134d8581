import EdgecatPolicy
import EdgecatTestSupport
import Testing

@Suite("Grants and who may make them")
struct GrantTests {
  /// Opens a fresh world in its own folder; each test changes it.
  static func world() async throws -> (PolicyEngine, TemporaryDirectory) {
    let directory = TemporaryDirectory()
    let engine = try await openEngine(directory)
    try await AuthorizationWorld.make(engine)
    return (engine, directory)
  }

  @Test("schema grant reaches future table")
  func futureChild() async throws {
    let (engine, directory) = try await Self.world()
    defer { directory.remove() }
    try await engine.register(.table, "main.sales.returns", owner: "carol")
    #expect(try engine.allows("dave", .select, "main.sales.returns"))
  }

  @Test("schema execute covers functions and models")
  func executeOnSchema() async throws {
    let (engine, directory) = try await Self.world()
    defer { directory.remove() }
    try await engine.grant([.useSchema, .execute], on: "main.ml", to: "erin", context: admin)
    #expect(try engine.allows("erin", .execute, "main.ml.mask_fn"))
    #expect(try engine.allows("erin", .execute, "main.ml.churn"))
  }

  @Test("revoke removes access")
  func revoke() async throws {
    let (engine, directory) = try await Self.world()
    defer { directory.remove() }
    try await engine.revoke([.select], on: "main.sales", from: "analysts", context: admin)
    #expect(try !engine.allows("dave", .select, "main.sales.orders"))
  }

  @Test("repeated grant changes nothing")
  func idempotentGrant() async throws {
    let (engine, directory) = try await Self.world()
    defer { directory.remove() }
    let before = engine.revision
    let result = try await engine.grant([.select], on: "main.sales", to: "analysts", context: admin)
    #expect(result.changed == false)
    #expect(result.revision == before)
    #expect(engine.revision == before)
  }

  @Test("revoking what was never granted changes nothing")
  func idempotentRevoke() async throws {
    let (engine, directory) = try await Self.world()
    defer { directory.remove() }
    let result = try await engine.revoke([.modify], on: "main.sales", from: "ivan", context: admin)
    #expect(result.changed == false)
  }

  @Test(
    "inapplicable grant is invalid",
    arguments: [
      (Privilege.select, "main.ml.mask_fn"), (.createCatalog, "main"), (.useCatalog, "main.sales"),
      (.browse, "main.sales.orders"), (.select, ""),
    ])
  func inapplicableGrant(_ privilege: Privilege, _ securable: String) async throws {
    let (engine, directory) = try await Self.world()
    defer { directory.remove() }
    let error = await #expect(throws: PolicyError.self) {
      try await engine.grant([privilege], on: securable, to: "ivan", context: admin)
    }
    #expect(error?.code == .invalidArgument)
  }

  @Test("inapplicable revoke names the revoke")
  func inapplicableRevoke() async throws {
    let (engine, directory) = try await Self.world()
    defer { directory.remove() }
    let error = await #expect(throws: PolicyError.self) {
      try await engine.revoke([.execute], on: "main.sales.orders", from: "ivan", context: admin)
    }
    #expect(error?.code == .invalidArgument)
    let expected = "EXECUTE cannot be revoked from table main.sales.orders"
    #expect(error?.message.contains(expected) == true)
  }

  @Test("grant to a missing principal names it")
  func missingPrincipal() async throws {
    let (engine, directory) = try await Self.world()
    defer { directory.remove() }
    let unknown = await #expect(throws: PolicyError.self) {
      try await engine.grant([.select], on: "main.sales", to: "nobody", context: admin)
    }
    #expect(unknown?.code == .notFound)
    #expect(unknown?.message.contains("'nobody' does not exist; check the name") == true)
    let empty = await #expect(throws: PolicyError.self) {
      try await engine.grant([.select], on: "main.sales", to: "", context: admin)
    }
    #expect(empty?.code == .invalidArgument)
    #expect(empty?.message.contains("principal name is empty") == true)
  }

  @Test(
    "who may grant",
    arguments: [
      ("alice", true),  // owns the catalog
      ("erin", true),  // MANAGE on the schema, with usage
      (adminName, true),
      ("dave", false),  // only reads
      ("carol", false),  // owns the table but lacks usage
      ("bob", false),  // owns the schema but lacks USE_CATALOG
      ("frank", false),  // ALL_PRIVILEGES on another schema
    ])
  func whoMayGrant(_ actor: String, _ allowed: Bool) async throws {
    let (engine, directory) = try await Self.world()
    defer { directory.remove() }
    let attempt: () async throws -> Void = {
      try await engine.grant(
        [.select], on: "main.sales.orders", to: "ivan", context: acting(actor))
    }
    if allowed {
      try await attempt()
      #expect(try engine.listGrants(on: "main.sales.orders").map(\.principal) == ["ivan"])
    } else {
      let error = await #expect(throws: PolicyError.self) { try await attempt() }
      #expect(error?.code == .permissionDenied)
    }
  }

  @Test("denied grant names the missing usage")
  func deniedGrantReason() async throws {
    let (engine, directory) = try await Self.world()
    defer { directory.remove() }
    let error = await #expect(throws: PolicyError.self) {
      try await engine.grant(
        [.select], on: "main.sales.orders", to: "ivan", context: acting("carol"))
    }
    #expect(error?.message.contains("USE_CATALOG on catalog main") == true)
  }

  @Test("catalog owner grants itself")
  func ownerGrantsItself() async throws {
    let (engine, directory) = try await Self.world()
    defer { directory.remove() }
    try await engine.grant(
      [.select], on: "main.sales.orders", to: "alice", context: acting("alice"))
    #expect(try engine.allows("alice", .select, "main.sales.orders"))
  }

  @Test("member of owning group drops")
  func groupOwnerDrops() async throws {
    let (engine, directory) = try await Self.world()
    defer { directory.remove() }
    try await engine.dropSecurable("main.sales.events", context: acting("heidi"))
    #expect(throws: PolicyError.self) { try engine.securable(named: "main.sales.events") }
  }

  @Test("reader may not drop")
  func readerCannotDrop() async throws {
    let (engine, directory) = try await Self.world()
    defer { directory.remove() }
    let error = await #expect(throws: PolicyError.self) {
      try await engine.dropSecurable("main.sales.orders", context: acting("dave"))
    }
    #expect(error?.code == .permissionDenied)
  }

  @Test("transfer ownership moves rights")
  func transferOwnership() async throws {
    let (engine, directory) = try await Self.world()
    defer { directory.remove() }
    try await engine.transferOwnership(
      of: "main.sales.orders", to: "dave", context: acting("alice"))
    #expect(try engine.allows("dave", .modify, "main.sales.orders"))
    #expect(try engine.securable(named: "main.sales.orders").owner == "dave")
  }

  @Test("grant to unknown principal")
  func unknownGrantee() async throws {
    let (engine, directory) = try await Self.world()
    defer { directory.remove() }
    let error = await #expect(throws: PolicyError.self) {
      try await engine.grant([.select], on: "main.sales", to: "mallory", context: admin)
    }
    #expect(error?.code == .notFound)
  }

  @Test("duplicate name across types")
  func duplicateName() async throws {
    let (engine, directory) = try await Self.world()
    defer { directory.remove() }
    let error = await #expect(throws: PolicyError.self) {
      try await engine.register(.registeredModel, "main.sales.ORDERS")
    }
    #expect(error?.code == .alreadyExists)
  }

  @Test("only services register")
  func registerNeedsService() async throws {
    let (engine, directory) = try await Self.world()
    defer { directory.remove() }
    try await engine.registerSecurable(
      SecurableRegistration(type: .table, fullName: "main.sales.t1", owner: "dave"),
      context: acting("service:catalog"))
    let error = await #expect(throws: PolicyError.self) {
      try await engine.registerSecurable(
        SecurableRegistration(type: .table, fullName: "main.sales.t2", owner: "dave"),
        context: acting("dave"))
    }
    #expect(error?.code == .permissionDenied)
  }
}
