import EdgecatCore
import EdgecatPolicy
import Testing

/// A securable tree with principals chosen so that each authorization rule has a case:
///
/// - catalog `main` owned by alice, with schemas `sales` (owned by bob) and `ml` (alice's)
/// - `main.sales`: table `orders` (carol), table `events` (group engineers), view `v` and
///   volume `files` (bob); `main.ml`: function `mask_fn` and model `churn` (alice)
/// - dave reads through group analysts, erin has MANAGE on `main.sales`, frank has
///   ALL_PRIVILEGES on `main.ml` and grace has BROWSE on `main`
/// - heidi is in leads, which is in engineers, and ivan has no grants
enum AuthorizationWorld {
  static let users = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan"]

  static func make(_ engine: PolicyEngine) async throws {
    for group in ["analysts", "engineers", "leads"] { try await engine.group(group) }
    for user in users { try await engine.user(user) }
    try await engine.addMember("dave", to: "analysts", context: admin)
    try await engine.addMember("leads", to: "engineers", context: admin)
    try await engine.addMember("heidi", to: "leads", context: admin)

    try await engine.register(.catalog, "main", owner: "alice")
    try await engine.register(.schema, "main.sales", owner: "bob")
    try await engine.register(.schema, "main.ml", owner: "alice")
    try await engine.register(.table, "main.sales.orders", owner: "carol")
    try await engine.register(.table, "main.sales.events", owner: "engineers")
    try await engine.register(.view, "main.sales.v", owner: "bob")
    try await engine.register(.volume, "main.sales.files", owner: "bob")
    let body = FunctionDefinition(
      parameters: [FunctionParameter(name: "value", type: "STRING")], body: "value")
    try await engine.register(.function, "main.ml.mask_fn", owner: "alice", function: body)
    try await engine.register(.registeredModel, "main.ml.churn", owner: "alice")

    for grantee in ["analysts", "erin", "frank", "engineers"] {
      try await engine.grant([.useCatalog], on: "main", to: grantee, context: admin)
    }
    try await engine.grant([.browse], on: "main", to: "grace", context: admin)
    try await engine.grant([.useSchema, .select], on: "main.sales", to: "analysts", context: admin)
    try await engine.grant([.useSchema, .manage], on: "main.sales", to: "erin", context: admin)
    try await engine.grant([.useSchema], on: "main.sales", to: "engineers", context: admin)
    try await engine.grant([.allPrivileges], on: "main.ml", to: "frank", context: admin)
  }
}

/// One expected decision and the rule it exercises.
struct DecisionCase: Sendable, CustomTestStringConvertible {
  let rule: String
  let principal: String
  let privilege: Privilege
  let securable: String
  let allowed: Bool
  /// For allowed cases, the kind of source; for denied ones, the missing privileges in order.
  let sourceKind: PrivilegeSource.Kind?
  let missing: [String]

  static func allow(
    _ rule: String, _ principal: String, _ privilege: Privilege, _ securable: String,
    by kind: PrivilegeSource.Kind
  ) -> DecisionCase {
    DecisionCase(
      rule: rule, principal: principal, privilege: privilege, securable: securable,
      allowed: true, sourceKind: kind, missing: [])
  }

  static func deny(
    _ rule: String, _ principal: String, _ privilege: Privilege, _ securable: String,
    missing: [String]
  ) -> DecisionCase {
    DecisionCase(
      rule: rule, principal: principal, privilege: privilege, securable: securable,
      allowed: false, sourceKind: nil, missing: missing)
  }

  var testDescription: String { rule }
}
