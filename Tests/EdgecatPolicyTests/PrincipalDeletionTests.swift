import EdgecatCore
import EdgecatPolicy
import EdgecatTestSupport
import Testing

@Suite("Principal deletion")
struct PrincipalDeletionTests {
  @Test("deleted principal is gone")
  func principalGone() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.user("alice")
    let result = try await engine.deletePrincipal("alice", context: admin)
    #expect(result.changed)
    let error = #expect(throws: PolicyError.self) { try engine.principal(named: "alice") }
    #expect(error?.code == .notFound)
  }

  @Test("deleting revokes its tokens")
  func tokensRemoved() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.user("alice")
    let token = try await engine.createToken(for: "alice", context: admin)
    try await engine.deletePrincipal("alice", context: admin)
    let error = #expect(throws: PolicyError.self) { try engine.authenticate(token: token.secret) }
    #expect(error?.code == .unauthenticated)
    #expect(engine.listTokens(for: "alice").isEmpty)
  }

  @Test("deleting a member leaves its groups")
  func memberRemoved() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.group("engineers")
    try await engine.user("alice", groups: ["engineers"])
    try await engine.deletePrincipal("alice", context: admin)
    #expect(try engine.principal(named: "engineers").members.isEmpty)
  }

  @Test("deleting a group frees its members")
  func groupRemoved() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.group("outer")
    try await engine.group("engineers")
    try await engine.addMember("engineers", to: "outer", context: admin)
    try await engine.user("alice", groups: ["engineers"])
    try await engine.deletePrincipal("engineers", context: admin)
    #expect(try engine.principal(named: "alice").groups == ["account users"])
    #expect(try engine.principal(named: "outer").members.isEmpty)
  }

  @Test("deleting drops the grants it holds")
  func grantsRemoved() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.register(.catalog, "main")
    try await engine.user("alice")
    try await engine.grant([.useCatalog], on: "main", to: "alice", context: admin)
    try await engine.deletePrincipal("alice", context: admin)
    try await engine.user("alice")
    #expect(try engine.allows("alice", .useCatalog, "main") == false)
  }

  @Test("owner must transfer ownership first")
  func ownerRejected() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.user("alice")
    try await engine.register(.catalog, "main")
    try await engine.register(.schema, "main.sales", owner: "alice")
    let error = await #expect(throws: PolicyError.self) {
      try await engine.deletePrincipal("alice", context: admin)
    }
    #expect(error?.code == .failedPrecondition)
    #expect(error?.message.contains("schema main.sales") == true)
    #expect(error?.message.contains("transfer ownership") == true)
    #expect(try engine.principal(named: "alice").name == "alice")
  }

  @Test("built-in group cannot be deleted", arguments: BuiltInGroup.allNames)
  func builtInRejected(name: String) async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    let error = await #expect(throws: PolicyError.self) {
      try await engine.deletePrincipal(name, context: admin)
    }
    #expect(error?.code == .invalidArgument)
  }

  @Test("user may not delete principals")
  func userRejected() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.user("alice")
    try await engine.user("bob")
    let error = await #expect(throws: PolicyError.self) {
      try await engine.deletePrincipal("bob", context: acting("alice"))
    }
    #expect(error?.code == .permissionDenied)
  }

  @Test("service may delete principals")
  func serviceAllowed() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.user("bob")
    try await engine.deletePrincipal("bob", context: acting("service:catalog"))
    #expect(throws: PolicyError.self) { try engine.principal(named: "bob") }
  }

  @Test("unknown principal is not found")
  func unknownPrincipal() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    let error = await #expect(throws: PolicyError.self) {
      try await engine.deletePrincipal("nobody", context: admin)
    }
    #expect(error?.code == .notFound)
  }

  @Test("deletion is watched and audited")
  func changeRecorded() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.user("alice")
    let before = engine.revision
    try await engine.deletePrincipal("alice", context: admin)
    let kinds = try engine.changes(since: before).map(\.kind)
    #expect(kinds.contains(.principalDeleted))
    let events = try await engine.listAuditEvents(AuditEventFilter(action: "deletePrincipal"))
    #expect(events.events.map(\.result) == ["OK"])
  }

  @Test("deletion survives a restart")
  func restart() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let first = try await openEngine(directory)
    try await first.group("engineers")
    try await first.user("alice", groups: ["engineers"])
    try await first.setAttribute("region", to: "eu", of: "alice", context: admin)
    try await first.deletePrincipal("alice", context: admin)
    first.close()

    let second = try await PolicyEngine.open(path: directory.file("policy.db"))
    defer { second.close() }
    #expect(throws: PolicyError.self) { try second.principal(named: "alice") }
    #expect(try second.principal(named: "engineers").members.isEmpty)
    try await second.user("alice")
    #expect(try second.principal(named: "alice").attributes.isEmpty)
  }
}

extension BuiltInGroup {
  static let allNames = [accountUsers, metastoreAdmins, edgecatServices]
}
