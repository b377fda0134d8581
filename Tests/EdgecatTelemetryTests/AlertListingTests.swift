import EdgecatCore
import EdgecatProto
import EdgecatTelemetry
import Testing

@Suite struct AlertListingTests {
  /// Inputs with `count` devices, cam-1 and on, that never sent a heartbeat.
  static func silentDevices(_ count: Int) -> AlertInputs {
    AlertInputs(devices: (1...count).map { AlertDevice(id: "cam-\($0)") })
  }

  /// Creates the Offline rule and fires it for five devices, then resolves cam-1 and cam-2.
  static func fiveTransitionsThenTwo(_ fixture: AlertFixture) async throws {
    try await fixture.createRule("Offline", .offline)
    _ = try await fixture.engine.evaluate(silentDevices(5))
    fixture.clock.advance(30)
    try await fixture.heartbeat("cam-1")
    try await fixture.heartbeat("cam-2")
    _ = try await fixture.engine.evaluate(silentDevices(5))
  }

  @Test func watchSendsStoredThenNew() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    try await Self.fiveTransitionsThenTwo(fixture)

    var watch = fixture.engine.watch(after: 2).makeAsyncIterator()
    var stored: [Int64] = []
    for _ in 0..<5 { stored.append(try #require(await watch.next()).transitionID) }
    #expect(stored == [3, 4, 5, 6, 7])
    fixture.clock.advance(3700)
    let response = try await fixture.engine.evaluate(Self.silentDevices(5))
    #expect(response.transitions.map(\.transitionID) == [8, 9])
    let next = try #require(await watch.next())
    #expect(next.transitionID == 8)
    #expect(next.toState == .firing)
    #expect(next.subject == "cam-1")
    #expect(try #require(await watch.next()).transitionID == 9)
  }

  @Test func watchFromZeroSendsOnlyNew() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    try await fixture.createRule("Offline", .offline)
    _ = try await fixture.engine.evaluate(Self.silentDevices(2))

    var watch = fixture.engine.watch(after: 0).makeAsyncIterator()
    _ = try await fixture.engine.evaluate(Self.silentDevices(3))
    let next = try #require(await watch.next())
    #expect(next.transitionID == 3)
    #expect(next.subject == "cam-3")
  }

  @Test func watchEndsWhenCancelled() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    let stream = fixture.engine.watch(after: 0)
    let task = Task {
      var received = 0
      for await _ in stream { received += 1 }
      return received
    }
    task.cancel()
    #expect(await task.value == 0)
  }

  @Test func finishWatchesEndsStreams() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    try await fixture.createRule("Offline", .offline)
    _ = try await fixture.engine.evaluate(Self.silentDevices(1))
    var watch = fixture.engine.watch(after: 0).makeAsyncIterator()
    fixture.engine.finishWatches()

    #expect(await watch.next() == nil)
  }

  @Test func alertsPageNewestChangeFirst() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    try await Self.fiveTransitionsThenTwo(fixture)

    var alerts: [Edgecat_Telemetry_V1_Alert] = []
    var token = ""
    var pages = 0
    repeat {
      let page = try await fixture.engine.listAlerts(states: [], pageSize: 2, pageToken: token)
      alerts += page.alerts
      token = page.nextPageToken
      pages += 1
    } while !token.isEmpty
    #expect(pages == 3)
    #expect(alerts.count == 5)
    #expect(Set(alerts.map(\.subject)).count == 5)
    #expect(alerts.prefix(2).map(\.state) == [.resolved, .resolved])
    #expect(alerts.suffix(3).map(\.state) == [.firing, .firing, .firing])

    let firing = try await fixture.engine.listAlerts(
      states: [.firing], pageSize: 0, pageToken: "")
    #expect(firing.alerts.count == 3)
    let pending = try await fixture.engine.listAlerts(
      states: [.pending], pageSize: 0, pageToken: "")
    #expect(pending.alerts.isEmpty)
    let unknown = await #expect(throws: ServiceError.self) {
      try await fixture.engine.listAlerts(states: [.unspecified], pageSize: 0, pageToken: "")
    }
    #expect(unknown?.code == .invalidArgument)
  }

  @Test func transitionsPageNewestFirst() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    try await Self.fiveTransitionsThenTwo(fixture)

    var ids: [Int64] = []
    var token = ""
    repeat {
      let page = try await fixture.engine.listTransitions(
        rule: nil, subject: nil, pageSize: 3, pageToken: token)
      ids += page.transitions.map(\.transitionID)
      token = page.nextPageToken
    } while !token.isEmpty
    #expect(ids == [7, 6, 5, 4, 3, 2, 1])

    let cam1 = try await fixture.engine.listTransitions(
      rule: "Offline", subject: "cam-1", pageSize: 0, pageToken: "")
    #expect(cam1.transitions.map(\.toState) == [.resolved, .firing])
    let otherRule = try await fixture.engine.listTransitions(
      rule: "Accuracy", subject: nil, pageSize: 0, pageToken: "")
    #expect(otherRule.transitions.isEmpty)
    let badToken = await #expect(throws: ServiceError.self) {
      try await fixture.engine.listTransitions(
        rule: nil, subject: nil, pageSize: 0, pageToken: "bm90IGEgdG9rZW4")
    }
    #expect(badToken?.code == .invalidArgument)
    #expect(try await fixture.auditCount("AlertTransition", principal: "service:telemetry") == 7)
  }
}
