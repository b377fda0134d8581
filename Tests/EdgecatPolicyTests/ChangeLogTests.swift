import EdgecatPolicy
import EdgecatTestSupport
import Testing

@Suite("Revisions and change log")
struct ChangeLogTests {
  @Test("each write bumps the revision")
  func bump() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    let before = engine.revision
    let result = try await engine.createPrincipal("u", kind: .user, context: admin)
    #expect(result.revision == before + 1)
  }

  @Test("changes since a revision")
  func changesSince() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    let start = engine.revision
    try await engine.user("u")
    try await engine.register(.catalog, "c")
    try await engine.grant([.useCatalog], on: "c", to: "u", context: admin)
    let changes = try engine.changes(since: start)
    #expect(changes.map(\.kind) == [.principalCreated, .securableRegistered, .grantsChanged])
    #expect(changes.map(\.revision) == [start + 1, start + 2, start + 3])
    #expect(changes.last?.principal == "u")
    #expect(changes.last?.securable == "c")
  }

  @Test("cascade drop yields one record per securable")
  func dropRecords() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.register(.catalog, "c")
    try await engine.register(.schema, "c.s")
    let start = engine.revision
    try await engine.dropSecurable("c", context: admin)
    #expect(try engine.changes(since: start).map(\.securable) == ["c.s", "c"])
  }

  @Test("old revision is out of range")
  func outOfRange() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory, changeLogCapacity: 3)
    for index in 0..<5 { try await engine.user("u\(index)") }
    let current = engine.revision
    #expect(try engine.changes(since: current - 3).count == 3)
    let error = #expect(throws: PolicyError.self) { try engine.changes(since: current - 4) }
    #expect(error?.code == .outOfRange)
  }

  @Test("future revision is out of range")
  func futureRevision() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    let error = #expect(throws: PolicyError.self) { try engine.changes(since: engine.revision + 1) }
    #expect(error?.code == .outOfRange)
  }

  @Test("change log survives restart")
  func restart() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let first = try await openEngine(directory)
    let start = first.revision
    try await first.user("u")
    first.close()
    let second = try await PolicyEngine.open(path: directory.file("policy.db"))
    defer { second.close() }
    #expect(try second.changes(since: start).map(\.principal) == ["u"])
  }

  @Test("decision carries revision")
  func decisionRevision() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.register(.catalog, "c")
    let decision = try engine.check(
      CheckRequest(
        principal: adminName, privilege: .useCatalog, securable: "c",
        minimumRevision: engine.revision))
    #expect(decision.revision == engine.revision)
  }

  @Test("concurrent grants get unique revisions")
  func concurrentGrants() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.register(.catalog, "c")
    let users = (0..<40).map { "user\($0)" }
    for user in users { try await engine.user(user) }
    let start = engine.revision
    let revisions = try await withThrowingTaskGroup(of: UInt64.self) { group in
      for user in users {
        group.addTask {
          try await engine.grant([.useCatalog], on: "c", to: user, context: admin).revision
        }
        group.addTask {
          _ = try engine.check(
            CheckRequest(principal: user, privilege: .useCatalog, securable: "c"))
          return 0
        }
      }
      var collected: [UInt64] = []
      for try await revision in group where revision > 0 { collected.append(revision) }
      return collected
    }
    #expect(Set(revisions).count == users.count)
    #expect(revisions.sorted() == Array(start + 1...start + UInt64(users.count)))
    #expect(try engine.changes(since: start).map(\.revision) == revisions.sorted())
    #expect(try users.allSatisfy { try engine.allows($0, .useCatalog, "c") })
  }

  @Test("check is fast")
  func checkSpeed() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await AuthorizationWorld.make(engine)
    let request = CheckRequest(
      principal: "dave", privilege: .select, securable: "main.sales.orders")
    let count = 20_000
    let clock = ContinuousClock()
    let elapsed = try clock.measure {
      for _ in 0..<count { _ = try engine.check(request) }
    }
    let perCheck = elapsed / count
    // Generous bound for unoptimized test builds; release builds are far faster.
    #expect(perCheck < .microseconds(50))
  }
}
