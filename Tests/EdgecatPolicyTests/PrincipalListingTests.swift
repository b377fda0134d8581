import EdgecatPolicy
import EdgecatTestSupport
import Testing

@Suite("Principal listing")
struct PrincipalListingTests {
  /// Reads every principal name page by page and returns the names and the page count.
  private func allNames(
    _ engine: PolicyEngine, kinds: Set<PrincipalKind> = [], pageSize: Int
  ) throws -> (names: [String], pages: Int) {
    var names: [String] = []
    var token = ""
    var pages = 0
    repeat {
      let page = try engine.listPrincipals(kinds: kinds, pageSize: pageSize, pageToken: token)
      names += page.principals.map(\.name)
      token = page.nextPageToken
      pages += 1
    } while !token.isEmpty && pages < 100
    return (names, pages)
  }

  @Test("pages are ordered by name")
  func orderedPages() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    for name in ["carol", "alice", "bob", "dave"] { try await engine.user(name) }
    let (names, pages) = try allNames(engine, pageSize: 3)
    let expected = [
      "account users", "admin@example.com", "alice", "bob", "carol", "dave", "edgecat-services",
      "metastore-admins", "service:catalog",
    ]
    #expect(names == expected)
    #expect(pages == 3)
  }

  @Test("exactly full last page ends the listing")
  func exactLastPage() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    let total = try engine.listPrincipals().principals.count
    let page = try engine.listPrincipals(pageSize: total)
    #expect(page.principals.count == total)
    #expect(page.nextPageToken.isEmpty)
  }

  @Test("kind filter keeps only that kind")
  func kindFilter() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.group("ml-engineers")
    try await engine.createPrincipal("device:d-1", kind: .device, context: admin)
    let groups = try allNames(engine, kinds: [.group], pageSize: 2).names
    #expect(groups == ["account users", "edgecat-services", "metastore-admins", "ml-engineers"])
    let services = try allNames(engine, kinds: [.service, .device], pageSize: 0).names
    #expect(services == ["device:d-1", "service:catalog"])
  }

  @Test("page size 0 means 100, 1001 is accepted")
  func defaultAndClampedSize() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    for index in 0..<100 { try await engine.user("user-\(index)") }
    let first = try engine.listPrincipals(pageSize: 0)
    #expect(first.principals.count == 100)
    #expect(!first.nextPageToken.isEmpty)
    let clamped = try engine.listPrincipals(pageSize: 1001)
    #expect(clamped.principals.count == 105)
    #expect(clamped.nextPageToken.isEmpty)
  }

  @Test("negative page size is rejected")
  func negativePageSize() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    let error = #expect(throws: PolicyError.self) { try engine.listPrincipals(pageSize: -1) }
    #expect(error?.code == .invalidArgument)
  }

  @Test(
    "malformed page token is rejected",
    arguments: ["!!", "a", "cHJpbmNpcGFscw", "YXVkaXQ6MS8y", "cHJpbmNpcGFsczr_"])
  func malformedToken(token: String) async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    let error = #expect(throws: PolicyError.self) {
      try engine.listPrincipals(pageSize: 2, pageToken: token)
    }
    #expect(error?.code == .invalidArgument)
  }

  @Test("listing shows created time")
  func createdTime() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let clock = TestClock()
    let engine = try await openEngine(directory, clock: clock)
    try await engine.user("alice")
    let alice = try engine.listPrincipals(kinds: [.user]).principals.first { $0.name == "alice" }
    #expect(alice?.createdAt == clock.time)
  }
}
