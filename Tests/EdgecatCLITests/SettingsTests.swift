import Foundation
import Testing

/// Global settings from flags, `EDGECAT_*` variables and profiles of ~/.edgecat/config.
@Suite("Settings precedence")
struct SettingsTests {
  /// Three users with tokens: one for the profile, one for the environment, one for a flag.
  struct Tokens {
    let profile: String
    let environment: String
    let flag: String
  }

  static func makeTokens(_ fixture: ServiceFixture) async throws -> Tokens {
    Tokens(
      profile: try await fixture.createUser("profile@example.com"),
      environment: try await fixture.createUser("environment@example.com"),
      flag: try await fixture.createUser("flag@example.com"))
  }

  /// Writes ~/.edgecat/config in the fixture's home.
  static func writeConfig(_ text: String, in fixture: ServiceFixture) throws {
    let folder = fixture.home + "/.edgecat"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try text.write(toFile: folder + "/config", atomically: true, encoding: .utf8)
  }

  /// Returns the principal that `token whoami` prints.
  static func whoami(
    _ fixture: ServiceFixture, _ arguments: [String] = [], environment: [String: String?] = [:]
  ) async throws -> String? {
    var variables = fixture.environment
    variables["EDGECAT_TOKEN_FILE"] = nil
    for (key, value) in environment { variables[key] = value }
    let result = try await CLIRunner.run(
      arguments + ["--output", "json", "token", "whoami"], environment: variables)
    guard result.status == 0 else { throw CLIFailure("whoami failed: \(result.stderr)") }
    return try result.json()["principal"] as? String
  }

  @Test("a flag wins over the environment, which wins over the profile")
  func tokenPrecedence() async throws {
    try await ServiceFixture.with { fixture in
      let tokens = try await Self.makeTokens(fixture)
      let tokenFile = try fixture.write(tokens.profile, to: "profile.token")
      try Self.writeConfig("[default]\ntoken_file = \(tokenFile)\n", in: fixture)

      #expect(try await Self.whoami(fixture) == "profile@example.com")
      let environment: [String: String?] = ["EDGECAT_TOKEN": tokens.environment]
      #expect(try await Self.whoami(fixture, environment: environment) == "environment@example.com")
      #expect(
        try await Self.whoami(fixture, ["--token", tokens.flag], environment: environment)
          == "flag@example.com")
    }
  }

  @Test("profiles are chosen by --profile or EDGECAT_PROFILE")
  func profileSelection() async throws {
    try await ServiceFixture.with { fixture in
      let tokens = try await Self.makeTokens(fixture)
      try Self.writeConfig(
        """
        # profiles for the tests
        [default]
        token = \(tokens.profile)

        [profile staging]
        token = "\(tokens.environment)"
        ; a comment
        [ci]
        token = \(tokens.flag)
        output = json
        """, in: fixture)
      #expect(try await Self.whoami(fixture) == "profile@example.com")
      #expect(
        try await Self.whoami(fixture, ["--profile", "staging"]) == "environment@example.com")
      #expect(
        try await Self.whoami(fixture, environment: ["EDGECAT_PROFILE": "ci"]) == "flag@example.com"
      )

      // The ci profile's output = json applies without --output.
      var variables = fixture.environment
      variables["EDGECAT_TOKEN_FILE"] = nil
      let listed = try await CLIRunner.run(
        ["--profile", "ci", "group", "list"], environment: variables)
      #expect(listed.status == 0)
      #expect(try listed.jsonArray().contains { $0["name"] as? String == "metastore-admins" })
    }
  }

  @Test("endpoints come from the profile")
  func profileEndpoints() async throws {
    try await ServiceFixture.with { fixture in
      try Self.writeConfig(
        """
        [default]
        policy_endpoint = \(fixture.policyEndpoint)
        catalog-endpoint = \(fixture.catalogEndpoint)
        token_file = \(fixture.adminTokenFile)
        """, in: fixture)
      let result = try await CLIRunner.run(["group", "list"], environment: ["HOME": fixture.home])
      #expect(result.status == 0, "\(result.stderr)")
      #expect(result.stdout.hasPrefix("NAME"))
      let overridden = try await CLIRunner.run(
        ["group", "list"],
        environment: ["HOME": fixture.home, "EDGECAT_POLICY_ENDPOINT": "127.0.0.1:1"])
      #expect(overridden.status == 1)
      #expect(overridden.stderr.contains("edgecat-policy at 127.0.0.1:1 returned UNAVAILABLE"))
    }
  }

  @Test(
    "bad configuration exits 2 naming its source",
    arguments: [
      ("[default]\ncolour = blue\n", [], "unknown key \"colour\" in profile default"),
      ("[default]\ntimeout = soon\n", [], "timeout (line 2 of profile default in"),
      ("token = x\n", [], "key before the first section"),
      ("[default\n", [], "has no closing ]"),
      ("[default]\n", ["--profile", "missing"], "profile \"missing\" from --profile is not in"),
      ("[default]\ntoken = a\ntoken_file = /tmp/x\n", [], "both token (line 2"),
    ])
  func badConfiguration(config: String, arguments: [String], message: String) async throws {
    let home = try temporaryFolder("edgecat-cli-home")
    defer { try? FileManager.default.removeItem(atPath: home) }
    try FileManager.default.createDirectory(
      atPath: home + "/.edgecat", withIntermediateDirectories: true)
    try config.write(toFile: home + "/.edgecat/config", atomically: true, encoding: .utf8)
    let result = try await CLIRunner.run(
      arguments + ["group", "list"], environment: ["HOME": home])
    #expect(result.status == 2)
    #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
  }

  @Test("a missing token file exits 2 naming the variable")
  func missingTokenFile() async throws {
    let result = try await CLIRunner.run(
      ["group", "list"],
      environment: ["HOME": "/nonexistent", "EDGECAT_TOKEN_FILE": "/nonexistent/admin.token"])
    #expect(result.status == 2)
    #expect(result.stderr.contains("EDGECAT_TOKEN_FILE: cannot open /nonexistent/admin.token"))
  }

  @Test("a named config file that is missing exits 2")
  func missingConfigFile() async throws {
    let result = try await CLIRunner.run(
      ["--config-file", "/nonexistent/config", "group", "list"], environment: [:])
    #expect(result.status == 2)
    #expect(result.stderr.contains("--config-file needs the config file"))
  }
}
