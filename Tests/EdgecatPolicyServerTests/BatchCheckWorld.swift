import EdgecatPolicy
import EdgecatRPC
import EdgecatServiceKit

/// A policy fixture with tables `main.s.t0` to `main.s.t<count - 1>`, served through a
/// `CountingPolicyService`, and a `PolicyClient` of that service. Alice has SELECT on the even
/// tables and MODIFY on those divisible by 3. Bob has SELECT on the whole schema and no MODIFY.
struct BatchCheckWorld {
  let fixture: PolicyFixture
  let service: CountingPolicyService
  let server: RPCServer
  let policy: PolicyClient

  static let alice = "alice@example.com"
  static let bob = "bob@example.com"
  /// The (principal, privilege) pairs the batch tests check on every table.
  static let checkedPairs = [
    (alice, "SELECT"), (bob, "MODIFY"), (alice, "MODIFY"), (bob, "SELECT"),
  ]

  static func start(tables count: Int, leaseDuration: Duration = .seconds(10)) async throws
    -> BatchCheckWorld
  {
    let fixture = try await PolicyFixture.start()
    let engine = fixture.engine
    let admin = RequestContext(principal: "admin@example.com", requestID: "setup")
    try await engine.registerSecurable(
      SecurableRegistration(type: .schema, fullName: "main.s", owner: "admin@example.com"),
      context: admin)
    for index in 0..<count {
      let name = "main.s.t\(index)"
      try await engine.registerSecurable(
        SecurableRegistration(type: .table, fullName: name, owner: "admin@example.com"),
        context: admin)
      var privileges: [Privilege] = []
      if index % 2 == 0 { privileges.append(.select) }
      if index % 3 == 0 { privileges.append(.modify) }
      if !privileges.isEmpty {
        _ = try await engine.grant(privileges, on: name, type: .table, to: alice, context: admin)
      }
    }
    _ = try await engine.grant([.useSchema], on: "main.s", type: .schema, to: alice, context: admin)
    _ = try await engine.grant([.useCatalog], on: "main", type: .catalog, to: bob, context: admin)
    _ = try await engine.grant(
      [.useSchema, .select], on: "main.s", type: .schema, to: bob, context: admin)

    let service = CountingPolicyService(engine: engine)
    let (server, endpoint) = try service.start(group: fixture.group)
    let policy = PolicyClient(
      endpoint: endpoint, serviceToken: fixture.serviceToken, leaseDuration: leaseDuration,
      group: fixture.group)
    return BatchCheckWorld(fixture: fixture, service: service, server: server, policy: policy)
  }

  /// Returns whether the grants above allow `privilege` for `principal` on table `index`.
  static func expectedAllowed(_ principal: String, _ privilege: String, table index: Int) -> Bool {
    switch (principal, privilege) {
    case (alice, "SELECT"): index % 2 == 0
    case (alice, "MODIFY"): index % 3 == 0
    case (bob, "SELECT"): true
    default: false
    }
  }

  static func query(_ principal: String, _ privilege: String, table index: Int) -> CheckQuery {
    CheckQuery(
      principal: principal, privilege: privilege, type: .table, securable: "main.s.t\(index)")
  }

  func stop() async {
    policy.close()
    await server.shutdown()
    await fixture.stop()
  }
}
