import EdgecatCore
import EdgecatPolicy
import EdgecatTestSupport
import Testing

@Suite("Audit listing")
struct AuditListingTests {
  /// Opens an engine bootstrapped at the clock's start, then makes one audited write a second:
  /// the admin creates alice, bob, carol and catalog main, then alice's grant is rejected.
  private func makeEngine(
    _ directory: TemporaryDirectory, _ clock: TestClock
  ) async throws -> PolicyEngine {
    let engine = try await openEngine(directory, clock: clock)
    for name in ["alice", "bob", "carol"] {
      clock.advance(by: 1)
      try await engine.user(name)
    }
    clock.advance(by: 1)
    try await engine.register(.catalog, "main")
    clock.advance(by: 1)
    _ = try? await engine.grant([.useCatalog], on: "main", to: "bob", context: acting("alice"))
    return engine
  }

  private func actions(_ page: AuditEventPage) -> [String] { page.events.map(\.action) }

  @Test("newest first across pages")
  func newestFirst() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await makeEngine(directory, TestClock())
    var times: [Double] = []
    var token = ""
    var pages = 0
    repeat {
      let page = try await engine.listAuditEvents(AuditEventFilter(pageSize: 2, pageToken: token))
      times += page.events.map(\.time)
      token = page.nextPageToken
      pages += 1
    } while !token.isEmpty && pages < 10
    #expect(times.count == 6)
    #expect(times == times.sorted(by: >))
    #expect(pages == 3)
  }

  @Test("start is inclusive and end exclusive")
  func timeRange() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let clock = TestClock()
    let start = clock.time
    let engine = try await makeEngine(directory, clock)
    let filter = AuditEventFilter(startTime: start + 1, endTime: start + 3)
    let page = try await engine.listAuditEvents(filter)
    #expect(page.events.map(\.time) == [start + 2, start + 1])
  }

  @Test("principal filter keeps that requester")
  func principalFilter() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await makeEngine(directory, TestClock())
    let page = try await engine.listAuditEvents(AuditEventFilter(principal: "alice"))
    #expect(actions(page) == ["grant"])
    #expect(page.events.first?.result == "PERMISSION_DENIED")
  }

  @Test("securable filter ignores case")
  func securableFilterCase() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await makeEngine(directory, TestClock())
    try await engine.grant([.useCatalog], on: "MAIN", to: "bob", context: admin)
    for spelling in ["main", "Main"] {
      let page = try await engine.listAuditEvents(AuditEventFilter(securable: spelling))
      #expect(actions(page) == ["grant", "grant", "registerSecurable"], "filter \(spelling)")
      #expect(page.events.allSatisfy { $0.securable == "main" }, "filter \(spelling)")
    }
  }

  @Test("action filter keeps that action")
  func actionFilter() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await makeEngine(directory, TestClock())
    let page = try await engine.listAuditEvents(AuditEventFilter(action: "createPrincipal"))
    #expect(page.events.count == 3)
    #expect(Set(actions(page)) == ["createPrincipal"])
  }

  @Test("securable filter keeps that securable")
  func securableFilter() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await makeEngine(directory, TestClock())
    let page = try await engine.listAuditEvents(AuditEventFilter(securable: "main"))
    #expect(page.events.count == 2)
    #expect(page.events.allSatisfy { $0.securable == "main" })
  }

  @Test("start after end is rejected")
  func invertedRange() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await makeEngine(directory, TestClock())
    let error = await #expect(throws: PolicyError.self) {
      try await engine.listAuditEvents(AuditEventFilter(startTime: 10, endTime: 5))
    }
    #expect(error?.code == .invalidArgument)
  }

  @Test("negative page size is rejected")
  func negativePageSize() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await makeEngine(directory, TestClock())
    let error = await #expect(throws: PolicyError.self) {
      try await engine.listAuditEvents(AuditEventFilter(pageSize: -5))
    }
    #expect(error?.code == .invalidArgument)
  }

  @Test("principal list token is rejected")
  func foreignToken() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await makeEngine(directory, TestClock())
    let token = try engine.listPrincipals(pageSize: 1).nextPageToken
    let error = await #expect(throws: PolicyError.self) {
      try await engine.listAuditEvents(AuditEventFilter(pageToken: token))
    }
    #expect(error?.code == .invalidArgument)
  }
}

@Suite("Datetime text")
struct DatetimeTextTests {
  @Test(
    "format and parse agree",
    arguments: [
      (0.0, "1970-01-01 00:00:00.000"), (1_800_000_000.25, "2027-01-15 08:00:00.250"),
      (951_782_400, "2000-02-29 00:00:00.000"), (-1, "1969-12-31 23:59:59.000"),
      (4_102_444_799.999, "2099-12-31 23:59:59.999"),
    ])
  func roundTrip(seconds: Double, text: String) throws {
    #expect(DatetimeText.format(seconds) == text)
    #expect(try DatetimeText.parse(text, field: "time") == seconds)
  }

  @Test("out-of-range times are clamped, not trapped", arguments: [1e300, -1e300, .infinity, .nan])
  func clamped(seconds: Double) {
    let text = DatetimeText.format(seconds)
    #expect(text.count == 23)
  }

  @Test("short fractions and no fraction parse")
  func shortForms() throws {
    #expect(try DatetimeText.parse("1970-01-01 00:00:01", field: "time") == 1)
    #expect(try DatetimeText.parse("1970-01-01T00:00:01.5", field: "time") == 1.5)
  }

  @Test(
    "invalid text is rejected",
    arguments: [
      "", "2027-01-15", "2027-13-01 00:00:00", "2027-02-29 00:00:00", "2027-01-15 24:00:00",
      "2027-01-15 08:00:00.1234", "2027-01-15 08:00:00.", "2027/01/15 08:00:00",
      "2027-01-15 08:00:00Z",
    ])
  func invalidText(text: String) {
    let error = #expect(throws: PolicyError.self) { try DatetimeText.parse(text, field: "t") }
    #expect(error?.code == .invalidArgument)
  }
}
