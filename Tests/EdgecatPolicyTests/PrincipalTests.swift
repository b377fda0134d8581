import EdgecatPolicy
import EdgecatTestSupport
import Testing

@Suite("Principals and groups")
struct PrincipalTests {
  @Test("direct cycle rejected")
  func directCycle() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.group("a")
    try await engine.group("b")
    try await engine.addMember("a", to: "b", context: admin)
    let error = await #expect(throws: PolicyError.self) {
      try await engine.addMember("b", to: "a", context: admin)
    }
    #expect(error?.code == .invalidArgument)
  }

  @Test("long cycle rejected")
  func longCycle() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    for name in ["a", "b", "c"] { try await engine.group(name) }
    try await engine.addMember("a", to: "b", context: admin)
    try await engine.addMember("b", to: "c", context: admin)
    let error = await #expect(throws: PolicyError.self) {
      try await engine.addMember("c", to: "a", context: admin)
    }
    #expect(error?.code == .invalidArgument)
  }

  @Test("group in itself rejected")
  func selfMembership() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.group("a")
    let error = await #expect(throws: PolicyError.self) {
      try await engine.addMember("a", to: "a", context: admin)
    }
    #expect(error?.code == .invalidArgument)
  }

  @Test("existing member is a no-op")
  func existingMember() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.group("a")
    try await engine.user("u", groups: ["a"])
    let result = try await engine.addMember("u", to: "a", context: admin)
    #expect(result.changed == false)
  }

  @Test("account users takes no members")
  func accountUsersMembers() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.user("u")
    let error = await #expect(throws: PolicyError.self) {
      try await engine.addMember("u", to: "account users", context: admin)
    }
    #expect(error?.code == .invalidArgument)
  }

  @Test("nested groups are transitive")
  func nestedGroups() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    for name in ["outer", "inner"] { try await engine.group(name) }
    try await engine.addMember("inner", to: "outer", context: admin)
    try await engine.user("u", groups: ["inner"])
    #expect(try engine.principal(named: "u").groups == ["account users", "inner", "outer"])
  }

  @Test("removing a membership shrinks closure")
  func removeMember() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.group("g")
    try await engine.user("u", groups: ["g"])
    try await engine.removeMember("u", from: "g", context: admin)
    #expect(try engine.principal(named: "u").groups == ["account users"])
  }

  @Test("last admin stays in metastore-admins")
  func lastAdminMembership() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    let error = await #expect(throws: PolicyError.self) {
      try await engine.removeMember(adminName, from: "metastore-admins", context: admin)
    }
    #expect(error?.code == .failedPrecondition)
    #expect(error?.message.contains("metastore-admins") == true)
    #expect(try engine.principal(named: adminName).groups.contains("metastore-admins"))

    try await engine.user("second-admin", groups: ["metastore-admins"])
    try await engine.removeMember(adminName, from: "metastore-admins", context: admin)
    #expect(try engine.principal(named: adminName).groups == ["account users"])
  }

  @Test("last admin through a group stays")
  func lastAdminThroughGroup() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.group("admins-team")
    try await engine.addMember("admins-team", to: "metastore-admins", context: admin)
    try await engine.user("lead", groups: ["admins-team"])
    try await engine.removeMember(adminName, from: "metastore-admins", context: acting("lead"))
    let error = await #expect(throws: PolicyError.self) {
      try await engine.removeMember("lead", from: "admins-team", context: acting("lead"))
    }
    #expect(error?.code == .failedPrecondition)
    #expect(try engine.principal(named: "lead").groups.contains("metastore-admins"))
  }

  @Test("last admin cannot be deleted")
  func deleteLastAdmin() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    let error = await #expect(throws: PolicyError.self) {
      try await engine.deletePrincipal(adminName, context: acting("service:catalog"))
    }
    #expect(error?.code == .failedPrecondition)
    #expect(error?.message.contains("metastore-admins") == true)
    #expect(try engine.principal(named: adminName).groups.contains("metastore-admins"))
  }

  @Test(
    "principal name rules",
    arguments: [
      ("service:ok", PrincipalKind.service, true), ("ok", .service, false),
      ("device:d-1", .device, true), ("device:", .device, false),
      ("service:x", .user, false), ("alice@example.com", .user, true),
      (" padded", .group, false), ("", .user, false),
    ])
  func principalNames(_ name: String, _ kind: PrincipalKind, _ valid: Bool) async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    if valid {
      try await engine.createPrincipal(name, kind: kind, context: admin)
      #expect(try engine.principal(named: name).kind == kind)
    } else {
      let error = await #expect(throws: PolicyError.self) {
        try await engine.createPrincipal(name, kind: kind, context: admin)
      }
      #expect(error?.code == .invalidArgument)
    }
  }

  @Test("non-admin may not create principals")
  func createNeedsAdmin() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.user("u")
    let error = await #expect(throws: PolicyError.self) {
      try await engine.createPrincipal("v", kind: .user, context: acting("u"))
    }
    #expect(error?.code == .permissionDenied)
  }

  @Test("attributes are set and removed")
  func attributes() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.user("u")
    try await engine.setAttribute("region", to: "eu-west", of: "u", context: admin)
    #expect(try engine.principal(named: "u").attributes == ["region": "eu-west"])
    try await engine.setAttribute("region", to: nil, of: "u", context: admin)
    #expect(try engine.principal(named: "u").attributes.isEmpty)
  }

  @Test("attribute value length is capped")
  func attributeValueLength() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.user("u")
    let longest = String(repeating: "v", count: PolicyEngine.maximumAttributeValueLength)
    try await engine.setAttribute("team", to: longest, of: "u", context: admin)
    #expect(try engine.principal(named: "u").attributes["team"] == longest)

    let error = await #expect(throws: PolicyError.self) {
      try await engine.setAttribute("team", to: longest + "v", of: "u", context: admin)
    }
    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains("1001 characters") == true)
    #expect(try engine.principal(named: "u").attributes["team"] == longest)
  }

  @Test("bootstrap runs once")
  func bootstrapOnce() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    let again = try await engine.bootstrap(admin: adminName, services: ["catalog"])
    #expect(again == nil)
  }

  @Test("bootstrap places principals in groups")
  func bootstrapGroups() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await PolicyEngine.open(path: directory.file("policy.db"))
    defer { engine.close() }
    let result = try await engine.bootstrap(admin: "root@example.com", services: ["catalog"])
    let tokens = try #require(result)
    let service = try #require(tokens.services.first)
    #expect(try engine.authenticate(token: service.secret).groups.contains("edgecat-services"))
    #expect(try engine.authenticate(token: tokens.admin.secret).groups.contains("metastore-admins"))
  }
}
