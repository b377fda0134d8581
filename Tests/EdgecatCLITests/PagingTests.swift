import Testing

/// Lists follow next_page_token to the end unless --max-results is given.
@Suite("Paging")
struct PagingTests {
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
