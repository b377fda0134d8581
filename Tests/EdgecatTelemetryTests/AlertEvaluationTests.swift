import EdgecatCore
import EdgecatProto
import EdgecatTelemetry
import Testing

@Suite struct AlertEvaluationTests {
  static let model = "main.ml.defects"
  static let subject = "main.ml.defects/3"

  /// Stores `labelled` labelled records of version 3, `correct` of them predicted right.
  static func insertLabels(
    _ fixture: AlertFixture, labelled: Int, correct: Int, secondsAgo: Double = 10
  ) async throws {
    try await fixture.insertRecords(correct, secondsAgo: secondsAgo, prediction: 1, label: 1)
    try await fixture.insertRecords(
      labelled - correct, secondsAgo: secondsAgo, prediction: 0, label: 1)
  }

  @Test func accuracyBelowThresholdFiresOnce() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    try await fixture.engine.seedDefaultRules()
    try await Self.insertLabels(fixture, labelled: 60, correct: 50)
    try await fixture.insertRecords(500)

    let first = try await fixture.engine.evaluate(AlertInputs())
    #expect(first.transitions.count == 1)
    let transition = try #require(first.transitions.first)
    #expect(transition.ruleName == "Accuracy")
    #expect(transition.subject == Self.subject)
    #expect(transition.fromState == .inactive)
    #expect(transition.toState == .firing)
    #expect(transition.samples == 60)
    #expect(abs(transition.value - 50.0 / 60.0) < 1e-9)
    #expect(transition.firingID.isEmpty == false)
    #expect(transition.actionResult == "rolled back main.ml.defects/3")
    #expect(
      fixture.actions.rollbackCalls == [
        .init(model: Self.model, version: 3, firingID: transition.firingID)
      ])

    fixture.clock.advance(30)
    let second = try await fixture.engine.evaluate(AlertInputs())
    #expect(second.transitions.isEmpty)
    #expect(fixture.actions.rollbackCalls.count == 1)
    let alert = try #require(second.alerts.first { $0.ruleName == "Accuracy" })
    #expect(alert.state == .firing)
    #expect(alert.firingID == transition.firingID)
    #expect(alert.actionResult == "rolled back main.ml.defects/3")
    #expect(alert.severity == .critical)
    #expect(try await fixture.auditCount("AlertTransition", principal: "service:telemetry") == 1)
    #expect(try await fixture.auditCount("AlertAction", principal: "service:telemetry") == 1)
  }

  @Test func accuracyResolvesWithoutRecords() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    try await fixture.engine.seedDefaultRules()
    try await Self.insertLabels(fixture, labelled: 60, correct: 0)
    let first = try await fixture.engine.evaluate(AlertInputs())
    #expect(first.transitions.map(\.toState) == [.firing])

    // The window of the default accuracy rule is one hour: past it, the version has no
    // records at all, as after a rollback took it off every device.
    fixture.clock.advance(3700)
    let second = try await fixture.engine.evaluate(AlertInputs())
    let transition = try #require(second.transitions.first)
    #expect(second.transitions.count == 1)
    #expect(transition.subject == Self.subject)
    #expect(transition.fromState == .firing)
    #expect(transition.toState == .resolved)
    #expect(fixture.actions.rollbackCalls.count == 1)
  }

  @Test func accuracyNeedsMinimumLabels() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    try await fixture.engine.seedDefaultRules()
    try await Self.insertLabels(fixture, labelled: 49, correct: 0)
    try await fixture.insertRecords(100, prediction: 0)

    let response = try await fixture.engine.evaluate(AlertInputs())
    #expect(response.transitions.isEmpty)
    #expect(fixture.actions.rollbackCalls.isEmpty)
  }

  @Test func pendingUntilForSecondsThenFiring() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    try await fixture.createRule("Accuracy held", .accuracy) { $0.forSeconds = 120 }
    try await Self.insertLabels(fixture, labelled: 60, correct: 0)

    let first = try await fixture.engine.evaluate(AlertInputs())
    #expect(first.transitions.map(\.toState) == [.pending])
    #expect(first.transitions.first?.firingID == "")
    fixture.clock.advance(60)
    let second = try await fixture.engine.evaluate(AlertInputs())
    #expect(second.transitions.isEmpty)
    #expect(second.alerts.map(\.state) == [.pending])
    #expect(fixture.actions.rollbackCalls.isEmpty)
    fixture.clock.advance(60)
    let third = try await fixture.engine.evaluate(AlertInputs())
    #expect(third.transitions.map(\.fromState) == [.pending])
    #expect(third.transitions.map(\.toState) == [.firing])
    #expect(fixture.actions.rollbackCalls.count == 1)
  }

  @Test func pendingThatStopsHoldingIsInactive() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    try await fixture.createRule("Accuracy held", .accuracy) { $0.forSeconds = 120 }
    try await Self.insertLabels(fixture, labelled: 60, correct: 0)
    _ = try await fixture.engine.evaluate(AlertInputs())
    try await Self.insertLabels(fixture, labelled: 600, correct: 600)

    let response = try await fixture.engine.evaluate(AlertInputs())
    #expect(response.transitions.map(\.fromState) == [.pending])
    #expect(response.transitions.map(\.toState) == [.inactive])
    #expect(response.alerts.isEmpty)
    #expect(fixture.actions.rollbackCalls.isEmpty)
  }

  @Test func resolveThenRefireWithNewFiringID() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    try await fixture.createRule("Accuracy", .accuracy)
    try await Self.insertLabels(fixture, labelled: 60, correct: 0)
    let fired = try await fixture.engine.evaluate(AlertInputs())
    let firstID = try #require(fired.transitions.first?.firingID)

    // The bad records leave the hour's window and good ones take their place.
    fixture.clock.advance(3700)
    try await Self.insertLabels(fixture, labelled: 60, correct: 60)
    let resolved = try await fixture.engine.evaluate(AlertInputs())
    #expect(resolved.transitions.map(\.toState) == [.resolved])
    #expect(resolved.transitions.first?.firingID == firstID)
    #expect(resolved.alerts.map(\.state) == [.resolved])

    fixture.clock.advance(3700)
    try await Self.insertLabels(fixture, labelled: 60, correct: 10)
    let refired = try await fixture.engine.evaluate(AlertInputs())
    #expect(refired.transitions.map(\.fromState) == [.resolved])
    #expect(refired.transitions.map(\.toState) == [.firing])
    let secondID = try #require(refired.transitions.first?.firingID)
    #expect(secondID != firstID)
    #expect(fixture.actions.rollbackCalls.map(\.firingID) == [firstID, secondID])
  }

  @Test func disabledRuleResolvesItsAlerts() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    let rule = try await fixture.createRule("Accuracy", .accuracy)
    try await Self.insertLabels(fixture, labelled: 60, correct: 0)
    _ = try await fixture.engine.evaluate(AlertInputs())
    var off = rule
    off.enabled = false
    _ = try await fixture.engine.updateRule(off, mask: ["enabled"], audit: fixture.audit())

    let response = try await fixture.engine.evaluate(AlertInputs())
    #expect(response.transitions.map(\.toState) == [.resolved])
    #expect(fixture.actions.rollbackCalls.count == 1)
  }

  @Test func offlineDevicesFire() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    try await fixture.engine.seedDefaultRules()
    try await fixture.heartbeat("cam-1")
    let inputs = AlertInputs(devices: [AlertDevice(id: "cam-1"), AlertDevice(id: "cam-2")])

    let first = try await fixture.engine.evaluate(inputs)
    #expect(first.transitions.map(\.subject) == ["cam-2"])
    #expect(first.transitions.first?.ruleName == "Offline")
    #expect(first.transitions.first?.samples == 0)
    fixture.clock.advance(3601)
    let second = try await fixture.engine.evaluate(inputs)
    #expect(second.transitions.map(\.subject) == ["cam-1"])
    #expect(second.transitions.first?.value == 3601)
    try await fixture.heartbeat("cam-1")
    let third = try await fixture.engine.evaluate(inputs)
    #expect(third.transitions.map(\.subject) == ["cam-1"])
    #expect(third.transitions.map(\.toState) == [.resolved])
    #expect(fixture.actions.rollbackCalls.isEmpty)
  }

  @Test func recentHeartbeatRuleSkipsNeverSeenDevice() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    try await fixture.createRule("Heartbeat recent", .offline) {
      ($0.condition, $0.threshold) = (.below, 60)
    }
    try await fixture.heartbeat("cam-1")
    let inputs = AlertInputs(devices: [AlertDevice(id: "cam-1"), AlertDevice(id: "cam-2")])

    let result = try await fixture.engine.evaluate(inputs)

    #expect(result.transitions.map(\.subject) == ["cam-1"])
  }

  @Test func latencyP99PerDeviceAndVersion() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    try await fixture.engine.seedDefaultRules()
    try await fixture.insertRecords(200, device: "cam-1") { Double($0 + 1) }
    try await fixture.insertRecords(200, device: "cam-2") { _ in 10 }
    try await fixture.insertRecords(99, device: "cam-3") { _ in 500 }
    // Older than the 15 minute window.
    try await fixture.insertRecords(200, device: "cam-4", secondsAgo: 1000) { _ in 500 }

    let response = try await fixture.engine.evaluate(AlertInputs())
    #expect(response.transitions.map(\.subject) == ["cam-1/main.ml.defects/3"])
    // Nearest rank: the 198th of 1...200 ms.
    #expect(response.transitions.first?.value == 198)
    #expect(response.transitions.first?.samples == 200)
    #expect(response.transitions.first?.severity == .warning)
  }

  @Test func confidenceStddevFiresRetrain() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    try await fixture.engine.seedDefaultRules()
    try await fixture.insertRecords(100, version: 3) { _ in
      5
    } confidence: {
      $0 % 2 == 0 ? 0.2 : 0.8
    }
    try await fixture.insertRecords(100, version: 4) { _ in
      5
    } confidence: {
      $0 % 2 == 0 ? 0.85 : 0.95
    }

    let response = try await fixture.engine.evaluate(AlertInputs())
    let transition = try #require(response.transitions.first)
    #expect(response.transitions.count == 1)
    #expect(transition.ruleName == "Confidence stddev")
    #expect(transition.subject == Self.subject)
    // 50 values each 0.3 from the mean of 0.5: sqrt(100 * 0.09 / 99).
    #expect(abs(transition.value - (9.0 / 99).squareRoot()) < 1e-9)
    #expect(transition.actionResult == "retraining needed for main.ml.defects recorded")
  }

  @Test func versionMismatchResendsDesiredState() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    try await fixture.engine.seedDefaultRules()
    for device in ["cam-1", "cam-2", "cam-3", "cam-4"] { try await fixture.heartbeat(device) }
    let inputs = AlertInputs(
      devices: [
        AlertDevice(id: "cam-1", models: [Self.model: 2]),
        AlertDevice(id: "cam-2", models: [Self.model: 3]),
        AlertDevice(id: "cam-3", models: ["main.ml.other": 1]),
        AlertDevice(id: "cam-4"),
      ],
      champions: [Self.model: 3])

    let response = try await fixture.engine.evaluate(inputs)
    #expect(response.transitions.map(\.subject) == ["cam-1"])
    #expect(response.transitions.first?.ruleName == "Version mismatch")
    #expect(response.transitions.first?.actionResult == "resent to cam-1")
    #expect(fixture.actions.resendCalls == ["cam-1"])
  }

  @Test func unfinishedActionRunsAgainWithItsFiringID() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    try await fixture.createRule("Accuracy", .accuracy)
    try await Self.insertLabels(fixture, labelled: 60, correct: 0)
    let fired = try await fixture.engine.evaluate(AlertInputs())
    let firingID = try #require(fired.transitions.first?.firingID)
    // As if the service stopped after storing the firing and before storing the result.
    try await fixture.store.write { db in
      try db.execute("UPDATE alerts SET action_done = 0, action_result = ''")
    }

    let again = try await fixture.engine.evaluate(AlertInputs())
    #expect(again.transitions.isEmpty)
    #expect(fixture.actions.rollbackCalls.map(\.firingID) == [firingID, firingID])
    #expect(again.alerts.first?.actionResult == "rolled back main.ml.defects/3")
    let third = try await fixture.engine.evaluate(AlertInputs())
    #expect(third.transitions.isEmpty)
    #expect(fixture.actions.rollbackCalls.count == 2)
  }
}

extension AlertEvaluationTests {
  @Test func newScopeClearsCurrentAlerts() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    var rule = try await fixture.createRule("Accuracy", .accuracy)
    try await Self.insertLabels(fixture, labelled: 60, correct: 0)
    _ = try await fixture.engine.evaluate(AlertInputs())
    rule.scope = .device
    _ = try await fixture.engine.updateRule(rule, mask: ["scope"], audit: fixture.audit())

    let listed = try await fixture.engine.listAlerts(states: [], pageSize: 0, pageToken: "")
    #expect(listed.alerts.isEmpty)
    let response = try await fixture.engine.evaluate(AlertInputs())
    #expect(response.transitions.map(\.subject) == ["cam-1/main.ml.defects/3"])
    #expect(fixture.actions.rollbackCalls.count == 2)
  }
}

extension AlertEvaluationTests {
  @Test func deviceListedTwiceFiresOnce() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    try await fixture.createRule("Mismatch", .versionMismatch)
    let device = AlertDevice(id: "cam-1", models: [Self.model: 2])
    let inputs = AlertInputs(devices: [device, device], champions: [Self.model: 3])

    let response = try await fixture.engine.evaluate(inputs)
    #expect(response.transitions.map(\.subject) == ["cam-1"])
    #expect(fixture.actions.resendCalls == ["cam-1"])
  }
}

extension AlertEvaluationTests {
  @Test func concurrentEvaluationsFireOnce() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    try await fixture.createRule("Accuracy", .accuracy)
    try await Self.insertLabels(fixture, labelled: 60, correct: 0)

    async let first = fixture.engine.evaluate(AlertInputs())
    async let second = fixture.engine.evaluate(AlertInputs())
    let responses = try await [first, second]
    #expect(responses.map(\.transitions.count).sorted() == [0, 1])
    #expect(fixture.actions.rollbackCalls.count == 1)
  }
}
