import EdgecatCrypto
import EdgecatPolicy
import EdgecatTestSupport
import Testing

@Suite("Tokens")
struct TokenTests {
  @Test("token authenticates with groups and attributes")
  func authenticate() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.group("g")
    try await engine.user("u", groups: ["g"])
    try await engine.setAttribute("region", to: "eu", of: "u", context: admin)
    let token = try await engine.createToken(for: "u", context: admin)
    let identity = try engine.authenticate(token: token.secret)
    #expect(identity.principal == "u")
    #expect(identity.groups == ["account users", "g"])
    #expect(identity.attributes == ["region": "eu"])
  }

  @Test("expired token is rejected")
  func expiry() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let clock = TestClock()
    let engine = try await openEngine(directory, clock: clock)
    try await engine.user("u")
    let token = try await engine.createToken(for: "u", expiresAt: clock.time + 60, context: admin)
    #expect(try engine.authenticate(token: token.secret).principal == "u")
    clock.advance(by: 60)
    let error = #expect(throws: PolicyError.self) { try engine.authenticate(token: token.secret) }
    #expect(error?.code == .unauthenticated)
  }

  @Test("revoked token is rejected")
  func revoke() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.user("u")
    let token = try await engine.createToken(for: "u", context: admin)
    #expect(try engine.authenticate(token: token.secret).principal == "u")
    try await engine.revokeToken(id: token.id, context: acting("u"))
    let error = #expect(throws: PolicyError.self) { try engine.authenticate(token: token.secret) }
    #expect(error?.code == .unauthenticated)
  }

  @Test("membership change shows in the next authentication")
  func membershipAfterCache() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.user("u")
    try await engine.createPrincipal("team", kind: .group, context: admin)
    let token = try await engine.createToken(for: "u", context: admin)
    #expect(try !engine.authenticate(token: token.secret).groups.contains("team"))
    try await engine.addMember("u", to: "team", context: admin)
    #expect(try engine.authenticate(token: token.secret).groups.contains("team"))
  }

  @Test("unknown and empty tokens are rejected", arguments: ["", "ect_not-a-real-token"])
  func unknown(_ secret: String) async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    let error = #expect(throws: PolicyError.self) { try engine.authenticate(token: secret) }
    #expect(error?.code == .unauthenticated)
  }

  @Test("database keeps only the hash")
  func hashOnly() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.user("u")
    let token = try await engine.createToken(for: "u", context: admin)
    engine.close()
    var bytes = readFile(directory.file("policy.db"))
    bytes += readFile(directory.file("policy.db-wal"))
    #expect(!contains(bytes, token.secret))
    #expect(contains(bytes, sha256Hex(token.secret)))
  }

  @Test("listing shows ids and no secrets")
  func listing() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.user("u")
    let token = try await engine.createToken(for: "u", description: "ci", context: admin)
    let listed = engine.listTokens(for: "u")
    #expect(listed.map(\.id) == [token.id])
    #expect(listed.first?.description == "ci")
  }

  @Test("others may not create tokens for a user")
  func createForOthers() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.user("u")
    try await engine.user("v")
    let error = await #expect(throws: PolicyError.self) {
      try await engine.createToken(for: "u", context: acting("v"))
    }
    #expect(error?.code == .permissionDenied)
  }

  @Test("audit event omits the secret")
  func auditWithoutSecret() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.user("u")
    let token = try await engine.createToken(for: "u", context: admin)
    let event = try #require(try await engine.auditEvents(limit: 1).first)
    #expect(event.action == "createToken")
    #expect(!event.parameters.contains(token.secret))
  }
}

/// Returns the SHA-256 of `text` as lowercase hex, as the token table stores it.
func sha256Hex(_ text: String) -> String { SHA256.hexDigest(Array(text.utf8)) }
