import EdgecatCore
import EdgecatPolicy
import EdgecatTestSupport
import Testing

@Suite("Securable listing")
struct SecurableListingTests {
  /// Registers 5 catalogs, each with one schema of 3 tables: 25 securables. Returns their full
  /// names, sorted.
  private func registerTree(_ engine: PolicyEngine) async throws -> [String] {
    var names: [String] = []
    for catalog in ["c4", "c0", "c3", "c1", "c2"] {
      try await engine.register(.catalog, catalog)
      try await engine.register(.schema, "\(catalog).s")
      names += [catalog, "\(catalog).s"]
      for table in ["t2", "t0", "t1"] {
        try await engine.register(.table, "\(catalog).s.\(table)")
        names.append("\(catalog).s.\(table)")
      }
    }
    return names.sorted()
  }

  /// Reads every page and returns the full names of each page.
  private func allPages(_ engine: PolicyEngine, pageSize: Int) throws -> [[String]] {
    var pages: [[String]] = []
    var token = ""
    repeat {
      let page = try engine.listSecurables(pageSize: pageSize, pageToken: token)
      pages.append(page.securables.map(\.fullName))
      token = page.nextPageToken
    } while !token.isEmpty && pages.count < 100
    return pages
  }

  @Test("pages have no duplicates or gaps", arguments: [1, 5, 7, 25, 1000])
  func exactPages(pageSize: Int) async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    let expected = try await registerTree(engine)
    #expect(expected.count == 25)

    let pages = try allPages(engine, pageSize: pageSize)
    let names = pages.flatMap { $0 }
    #expect(names == expected)
    #expect(Set(names).count == names.count)
    #expect(pages.count == (expected.count + pageSize - 1) / pageSize)
    #expect(pages.dropLast().allSatisfy { $0.count == pageSize })
    #expect(pages.last?.isEmpty == false)
  }

  @Test("last page has an empty token")
  func lastPageToken() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    _ = try await registerTree(engine)
    let whole = try engine.listSecurables(pageSize: 25)
    #expect(whole.securables.count == 25)
    #expect(whole.nextPageToken.isEmpty)
    let first = try engine.listSecurables(pageSize: 24)
    #expect(!first.nextPageToken.isEmpty)
    let last = try engine.listSecurables(pageSize: 24, pageToken: first.nextPageToken)
    #expect(last.securables.map(\.fullName) == ["c4.s.t2"])
    #expect(last.nextPageToken.isEmpty)
  }

  @Test("empty tree lists nothing")
  func emptyTree() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    let page = try engine.listSecurables()
    #expect(page.securables.isEmpty)
    #expect(page.nextPageToken.isEmpty)
  }

  @Test("dropped cursor securable skips nothing")
  func dropBetweenPages() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    let expected = try await registerTree(engine)
    let first = try engine.listSecurables(pageSize: 5)
    #expect(first.securables.last?.fullName == "c0.s.t2")

    try await engine.dropSecurable("c0.s.t2", type: .table, context: admin)
    let second = try engine.listSecurables(pageSize: 5, pageToken: first.nextPageToken)
    #expect(second.securables.map(\.fullName) == Array(expected[5..<10]))
  }

  @Test("listing shows owner, time and function")
  func securableDetails() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let clock = TestClock()
    let engine = try await openEngine(directory, clock: clock)
    try await engine.user("alice")
    try await engine.register(.catalog, "main", owner: "alice")
    try await engine.register(.schema, "main.s")
    let function = FunctionDefinition(
      parameters: [FunctionParameter(name: "v", type: "STRING")], returnType: "STRING",
      body: "upper(v)")
    try await engine.register(.function, "main.s.shout", function: function)

    let securables = try engine.listSecurables().securables
    #expect(securables.map(\.fullName) == ["main", "main.s", "main.s.shout"])
    #expect(securables.map(\.type) == [.catalog, .schema, .function])
    #expect(securables.first?.owner == "alice")
    #expect(securables.first?.children == ["main.s"])
    #expect(securables.allSatisfy { $0.createdAt == clock.time })
    #expect(securables.last?.function == function)
  }

  @Test("page size 0 means 100")
  func defaultPageSize() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.register(.catalog, "c")
    try await engine.register(.schema, "c.s")
    for index in 0..<100 { try await engine.register(.table, "c.s.t\(index)") }
    let first = try engine.listSecurables(pageSize: 0)
    #expect(first.securables.count == 100)
    #expect(!first.nextPageToken.isEmpty)
    let rest = try engine.listSecurables(pageSize: 0, pageToken: first.nextPageToken)
    #expect(rest.securables.count == 2)
    #expect(rest.nextPageToken.isEmpty)
  }

  @Test("negative page size is rejected")
  func negativePageSize() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    let error = #expect(throws: PolicyError.self) { try engine.listSecurables(pageSize: -1) }
    #expect(error?.code == .invalidArgument)
  }

  @Test("malformed page token is rejected", arguments: ["!!", "a", "c2VjdXJhYmxlcw"])
  func malformedToken(token: String) async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    let error = #expect(throws: PolicyError.self) {
      try engine.listSecurables(pageSize: 2, pageToken: token)
    }
    #expect(error?.code == .invalidArgument)
  }

  @Test("token of another list is rejected")
  func otherListToken() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    let principals = try engine.listPrincipals(pageSize: 1)
    #expect(!principals.nextPageToken.isEmpty)
    let error = #expect(throws: PolicyError.self) {
      try engine.listSecurables(pageSize: 2, pageToken: principals.nextPageToken)
    }
    #expect(error?.code == .invalidArgument)
  }
}
