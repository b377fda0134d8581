import Testing

/// Lists follow next_page_token to the end unless --max-results is given.
@Suite("Paging")
struct PagingTests {
  static let names = (1...7).map { "catalog\($0)" }

  static func createCatalogs(_ fixture: ServiceFixture) async throws {
    for name in names { try await fixture.succeed("catalog", "create", name) }
  }

  func listedNames(_ fixture: ServiceFixture, _ flags: String...) async throws -> [String] {
    let result = try await CLIRunner.run(
      ["--output", "json", "catalog", "list"] + flags, environment: fixture.environment)
    guard result.status == 0 else { throw CLIFailure(result.stderr) }
    return try result.jsonArray().compactMap { $0["name"] as? String }
  }

  @Test("small pages are followed to the end")
  func followsPages() async throws {
    try await ServiceFixture.with { fixture in
      try await Self.createCatalogs(fixture)
      #expect(try await listedNames(fixture, "--page-size", "2") == Self.names)
      #expect(try await listedNames(fixture) == Self.names)
    }
  }

  @Test("--max-results stops early")
  func maxResults() async throws {
    try await ServiceFixture.with { fixture in
      try await Self.createCatalogs(fixture)
      #expect(try await listedNames(fixture, "--max-results", "3") == Array(Self.names.prefix(3)))
      #expect(
        try await listedNames(fixture, "--max-results", "5", "--page-size", "2")
          == Array(Self.names.prefix(5)))
      #expect(try await listedNames(fixture, "--max-results", "100") == Self.names)
    }
  }

  @Test("principal lists page too")
  func principalPaging() async throws {
    try await ServiceFixture.with { fixture in
      for index in 1...4 { try await fixture.succeed("group", "create", "team\(index)") }
      let result = try await fixture.succeed(
        "--output", "json", "group", "list", "--page-size", "1", "--max-results", "3")
      #expect(try result.jsonArray().count == 3)
      let all = try await fixture.succeed("--output", "json", "group", "list", "--page-size", "1")
      let names = try all.jsonArray().compactMap { $0["name"] as? String }
      #expect(names.filter { $0.hasPrefix("team") } == ["team1", "team2", "team3", "team4"])
    }
  }
}
