import EdgecatPolicy
import EdgecatTestSupport
import Testing

@Suite("Authorization rules")
struct AuthorizationTests {
  static let cases: [DecisionCase] = [
    .allow("admin passes", adminName, .select, "main.sales.orders", by: .admin),
    .allow("admin creates catalogs", adminName, .createCatalog, "", by: .admin),
    .allow("schema grant reaches table", "dave", .select, "main.sales.orders", by: .grant),
    .allow("schema grant reaches view", "dave", .select, "main.sales.v", by: .grant),
    .deny(
      "grant of other privilege", "dave", .modify, "main.sales.orders",
      missing: ["MODIFY on table main.sales.orders"]),
    .deny(
      "no grants lists all gaps", "ivan", .select, "main.sales.orders",
      missing: [
        "USE_CATALOG on catalog main", "USE_SCHEMA on schema main.sales",
        "SELECT on table main.sales.orders",
      ]),
    .deny(
      "object owner needs usage", "carol", .select, "main.sales.orders",
      missing: ["USE_CATALOG on catalog main", "USE_SCHEMA on schema main.sales"]),
    .deny(
      "schema owner needs use catalog", "bob", .useSchema, "main.sales",
      missing: ["USE_CATALOG on catalog main"]),
    .deny(
      "schema owner lacks table privilege", "bob", .select, "main.sales.orders",
      missing: ["USE_CATALOG on catalog main", "SELECT on table main.sales.orders"]),
    .deny(
      "catalog owner lacks table privilege", "alice", .select, "main.sales.orders",
      missing: ["SELECT on table main.sales.orders"]),
    .allow(
      "catalog owner has use schema", "alice", .useSchema, "main.sales", by: .catalogOwnership),
    .allow("catalog owner has use catalog", "alice", .useCatalog, "main", by: .ownership),
    .allow("manage inherited from schema", "erin", .manage, "main.sales.orders", by: .grant),
    .deny(
      "manage gives no select", "erin", .select, "main.sales.orders",
      missing: ["SELECT on table main.sales.orders"]),
    .allow("all privileges covers model", "frank", .execute, "main.ml.churn", by: .grant),
    .allow("all privileges covers function", "frank", .execute, "main.ml.mask_fn", by: .grant),
    .allow("all privileges covers deploy", "frank", .deploy, "main.ml.churn", by: .grant),
    .allow("all privileges covers create", "frank", .createTable, "main.ml", by: .grant),
    .deny(
      "all privileges excludes manage", "frank", .manage, "main.ml.churn",
      missing: ["MANAGE on registered model main.ml.churn"]),
    .allow("browse from catalog", "grace", .browse, "main.sales.orders", by: .grant),
    .deny(
      "browse gives no select", "grace", .select, "main.sales.orders",
      missing: [
        "USE_CATALOG on catalog main", "USE_SCHEMA on schema main.sales",
        "SELECT on table main.sales.orders",
      ]),
    .allow("browse from ownership", "carol", .browse, "main.sales.orders", by: .ownership),
    .deny(
      "browse needs a grant", "ivan", .browse, "main.sales.orders",
      missing: ["BROWSE on table main.sales.orders"]),
    .deny(
      "select gives no browse", "dave", .browse, "main.sales.orders",
      missing: ["BROWSE on table main.sales.orders"]),
    .allow("nested owning group", "heidi", .modify, "main.sales.events", by: .ownership),
    .deny(
      "usage alone gives nothing", "heidi", .select, "main.sales.orders",
      missing: ["SELECT on table main.sales.orders"]),
    .deny(
      "create needs its privilege", "dave", .createTable, "main.sales",
      missing: ["CREATE_TABLE on schema main.sales"]),
    .deny(
      "volume privilege not inherited", "dave", .readVolume, "main.sales.files",
      missing: ["READ_VOLUME on volume main.sales.files"]),
    .deny(
      "metastore privilege", "alice", .createCatalog, "",
      missing: ["CREATE_CATALOG on metastore"]),
  ]

  /// The shared world, opened once for every test of the suite; its temporary folder stays.
  static let world = Task {
    let engine = try await openEngine(TemporaryDirectory())
    try await AuthorizationWorld.make(engine)
    return engine
  }

  @Test("decision", arguments: cases)
  func decision(_ expected: DecisionCase) async throws {
    let engine = try await Self.world.value
    let decision = try engine.check(
      CheckRequest(
        principal: expected.principal, privilege: expected.privilege,
        securable: expected.securable))
    #expect(decision.allowed == expected.allowed)
    #expect(decision.source?.kind == expected.sourceKind)
    #expect(decision.missing.map(\.description) == expected.missing)
  }

  @Test("denial reason names every gap")
  func denialReason() async throws {
    let engine = try await Self.world.value
    let decision = try engine.check(
      CheckRequest(principal: "ivan", privilege: .select, securable: "main.sales.orders"))
    #expect(
      decision.reason
        == "SELECT on table main.sales.orders is denied for ivan, who lacks USE_CATALOG on"
        + " catalog main, USE_SCHEMA on schema main.sales and SELECT on table main.sales.orders")
  }

  @Test("allow reason names grant and group")
  func allowReason() async throws {
    let engine = try await Self.world.value
    let decision = try engine.check(
      CheckRequest(principal: "dave", privilege: .select, securable: "main.sales.orders"))
    #expect(
      decision.reason
        == "SELECT on table main.sales.orders is allowed for dave: SELECT on schema main.sales is"
        + " granted to group analysts, which contains dave")
  }

  @Test("long reason matches the interpolated wording")
  func longReason() async throws {
    // About 2,000 bytes, so the reason outgrows its first buffer twice.
    let directory = TemporaryDirectory()
    let engine = try await openEngine(directory)
    let user = String(repeating: "u", count: 250)
    let table = [
      String(repeating: "c", count: 200), String(repeating: "s", count: 200),
      String(repeating: "t", count: 200),
    ]
    try await engine.user(user)
    try await engine.register(.catalog, table[0], owner: adminName)
    try await engine.register(.schema, table[..<2].joined(separator: "."), owner: adminName)
    try await engine.register(.table, table.joined(separator: "."), owner: adminName)

    let decision = try engine.check(
      CheckRequest(principal: user, privilege: .select, securable: table.joined(separator: ".")))

    #expect(!decision.allowed)
    #expect(decision.reason.utf8.count > 2000)
    #expect(decision.reason == Self.interpolatedReason(decision))
    engine.close()
  }

  @Test("reasons match the interpolated wording")
  func reasonWording() async throws {
    let engine = try await Self.world.value
    let privileges: [Privilege] = [.useCatalog, .useSchema, .select, .modify, .execute, .browse]
    let securables = ["main", "main.sales", "main.sales.orders", "main.ml.mask_fn", "main.ml.churn"]
    var checked = 0
    for principal in AuthorizationWorld.users + [adminName] {
      for privilege in privileges {
        for securable in securables {
          let request = CheckRequest(
            principal: principal, privilege: privilege, securable: securable)
          guard let decision = try? engine.check(request) else { continue }
          #expect(decision.reason == Self.interpolatedReason(decision))
          checked += 1
        }
      }
    }
    #expect(checked > 50)
  }

  /// The reason of a check, written as plain string interpolation.
  static func interpolatedReason(_ decision: Decision) -> String {
    func label(_ type: SecurableType, _ name: String) -> String {
      type == .metastore ? "metastore" : "\(type.displayName) \(name)"
    }
    let target = label(decision.securableType, decision.securable)
    let requested = "\(decision.privilege.rawValue) on"
    guard let source = decision.source else {
      let gaps = decision.missing.map { gap in
        "\(gap.privilege.rawValue) on \(label(gap.securableType, gap.securable))"
      }
      let list =
        gaps.count > 1 ? gaps.dropLast().joined(separator: ", ") + " and " + gaps.last! : gaps[0]
      return "\(requested) \(target) is denied for \(decision.principal), who lacks \(list)"
    }
    let holder =
      source.isThroughGroup
      ? "group \(source.holder), which contains \(source.principal)" : source.principal
    let sourceLabel = label(source.securableType, source.securable)
    let rule =
      switch source.kind {
      case .admin:
        "\(source.principal) is a member of metastore-admins, which passes every check"
      case .ownership: "\(sourceLabel) is owned by \(holder)"
      case .catalogOwnership:
        "\(sourceLabel) is owned by \(holder), which counts as USE_SCHEMA on its schemas"
      case .grant:
        "\(source.grantedPrivilege?.rawValue ?? "") on \(sourceLabel) is granted to \(holder)"
      }
    return "\(requested) \(target) is allowed for \(decision.principal): \(rule)"
  }

  static let invalidRequests: [(String, CheckRequest, PolicyErrorCode)] = [
    ("object privilege on table", .init(principal: "dave", privilege: .execute,
      securable: "main.sales.orders"), .invalidArgument),
    ("catalog privilege on schema", .init(principal: "dave", privilege: .useCatalog,
      securable: "main.sales"), .invalidArgument),
    ("metastore privilege on catalog", .init(principal: "dave", privilege: .createCatalog,
      securable: "main"), .invalidArgument),
    ("unknown principal", .init(principal: "mallory", privilege: .select,
      securable: "main.sales.orders"), .notFound),
    ("unknown securable", .init(principal: "dave", privilege: .select,
      securable: "main.sales.nothing"), .notFound),
    ("invalid name", .init(principal: "dave", privilege: .select,
      securable: "main.sa les.orders"), .invalidArgument),
    ("wrong type", .init(principal: "dave", privilege: .select,
      securable: "main.sales.orders", securableType: .view), .notFound),
    ("future revision", .init(principal: "dave", privilege: .select,
      securable: "main.sales.orders", minimumRevision: 1_000_000), .outOfRange),
  ]

  @Test("invalid check", arguments: invalidRequests)
  func invalidCheck(_ name: String, _ request: CheckRequest, _ code: PolicyErrorCode) async throws {
    let engine = try await Self.world.value
    let error = #expect(throws: PolicyError.self) { try engine.check(request) }
    #expect(error?.code == code)
  }

  @Test("names match case-insensitively")
  func caseInsensitive() async throws {
    let engine = try await Self.world.value
    #expect(try engine.allows("dave", .select, "MAIN.Sales.Orders"))
  }

  @Test("batch answers in order")
  func batchOrder() async throws {
    let engine = try await Self.world.value
    let decisions = try engine.batchCheck([
      CheckRequest(principal: "dave", privilege: .select, securable: "main.sales.orders"),
      CheckRequest(principal: "ivan", privilege: .select, securable: "main.sales.orders"),
      CheckRequest(principal: "frank", privilege: .execute, securable: "main.ml.churn"),
    ])
    #expect(decisions.map(\.allowed) == [true, false, true])
    #expect(Set(decisions.map(\.id)).count == 3)
  }

  @Test("effective privileges list sources")
  func effectivePrivileges() async throws {
    let engine = try await Self.world.value
    let privileges = try engine.effectivePrivileges(principal: "dave", on: "main.sales.orders")
    #expect(privileges.map(\.privilege) == [.select])
    let source = privileges.first?.sources.first
    #expect(source?.securable == "main.sales")
    #expect(source?.isInherited == true)
    #expect(source?.isThroughGroup == true)
    #expect(source?.holder == "analysts")
  }

  @Test("effective privileges of owner")
  func ownerEffectivePrivileges() async throws {
    let engine = try await Self.world.value
    let privileges = try engine.effectivePrivileges(principal: "carol", on: "main.sales.orders")
    #expect(privileges.map(\.privilege) == [.browse, .select, .modify, .manage, .allPrivileges])
    #expect(privileges.allSatisfy { $0.sources.first?.kind == .ownership })
  }

  @Test(
    "listing grants needs visibility",
    arguments: [
      (adminName, "main.sales.orders", true),
      ("alice", "main.sales.orders", true),  // owns the catalog, so may grant inside
      ("bob", "main.sales", true),  // owns the schema: BROWSE needs no usage
      ("carol", "main.sales.orders", true),  // owns the table
      ("dave", "main.sales.orders", true),  // SELECT from the schema
      ("erin", "main.sales.orders", true),  // MANAGE from the schema
      ("grace", "main.sales.orders", true),  // BROWSE from the catalog
      ("ivan", "main.sales.orders", false),
      ("ivan", "main", false),
      ("ivan", "", false),
    ])
  func listGrantsVisibility(principal: String, securable: String, visible: Bool) async throws {
    let engine = try await Self.world.value
    guard visible else {
      let error = #expect(throws: PolicyError.self) {
        try engine.listGrants(on: securable, visibleTo: principal)
      }
      #expect(error?.code == .permissionDenied)
      #expect(error?.message.hasPrefix("\(principal) may not list the grants on ") == true)
      return
    }
    #expect(
      try engine.listGrants(on: securable, visibleTo: principal)
        == engine.listGrants(on: securable))
  }

  @Test("grant listing denial messages")
  func listGrantsMessages() async throws {
    let engine = try await Self.world.value
    let denied = #expect(throws: PolicyError.self) {
      try engine.listGrants(on: "main.sales.orders", visibleTo: "ivan")
    }
    #expect(
      denied?.message
        == "ivan may not list the grants on table main.sales.orders: that needs BROWSE, SELECT,"
        + " MODIFY or MANAGE there, ownership, or the right to grant there; SELECT on table"
        + " main.sales.orders is denied for ivan, who lacks USE_CATALOG on catalog main,"
        + " USE_SCHEMA on schema main.sales and SELECT on table main.sales.orders")
    let metastore = #expect(throws: PolicyError.self) {
      try engine.listGrants(on: "", visibleTo: "ivan")
    }
    #expect(
      metastore?.message
        == "ivan may not list the grants on the metastore: that needs CREATE_CATALOG, which ivan"
        + " lacks, or membership of metastore-admins")
    let missing = #expect(throws: PolicyError.self) {
      try engine.listGrants(on: "main.sales.nothing", visibleTo: "ivan")
    }
    #expect(missing?.code == .notFound)
  }

  @Test("list grants on schema")
  func listGrants() async throws {
    let engine = try await Self.world.value
    let grants = try engine.listGrants(on: "main.sales")
    #expect(grants.map { "\($0.principal) \($0.privilege.rawValue)" } == [
      "analysts USE_SCHEMA", "analysts SELECT", "engineers USE_SCHEMA", "erin USE_SCHEMA",
      "erin MANAGE",
    ])
  }
}
