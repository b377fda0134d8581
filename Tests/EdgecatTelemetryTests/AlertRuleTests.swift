import EdgecatCore
import EdgecatProto
import EdgecatTelemetry
import Testing

@Suite struct AlertRuleTests {
  typealias Rule = Edgecat_Telemetry_V1_AlertRule

  @Test func defaultRulesSeededOnce() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    try await fixture.engine.seedDefaultRules()
    let (rules, next) = try await fixture.engine.listRules(pageSize: 0, pageToken: "")
    #expect(
      rules.map(\.name) == [
        "Accuracy", "Confidence stddev", "Latency p99", "Offline", "Version mismatch",
      ])
    #expect(next == "")
    let accuracy = try await fixture.engine.rule(named: "Accuracy")
    #expect(accuracy.threshold == 0.9)
    #expect(accuracy.minSamples == 50)
    #expect(accuracy.windowSeconds == 3600)
    #expect(accuracy.severity == .critical)
    #expect(accuracy.action == .rollback)
    #expect(accuracy.description == "accuracy < 0.9")

    var edited = accuracy
    edited.threshold = 0.8
    _ = try await fixture.engine.updateRule(edited, mask: ["threshold"], audit: fixture.audit())
    try await fixture.engine.deleteRule(named: "Offline", audit: fixture.audit())
    try await fixture.engine.seedDefaultRules()

    let again = try await fixture.engine.listRules(pageSize: 0, pageToken: "").rules
    #expect(again.map(\.name).contains("Offline") == false)
    #expect(again.first { $0.name == "Accuracy" }?.threshold == 0.8)
    let created = try await fixture.auditCount("CreateAlertRule", principal: "service:telemetry")
    #expect(created == 5)
  }

  @Test func uneditedDefaultTakesNewSettings() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    try await fixture.engine.seedDefaultRules()
    var settings = AlertSettings()
    settings.offlineAfterSeconds = 60
    settings.latencyMinRecords = 10
    try await fixture.engine(settings: settings).seedDefaultRules()

    #expect(try await fixture.engine.rule(named: "Offline").threshold == 60)
    let latency = try await fixture.engine.rule(named: "Latency p99")
    #expect(latency.minSamples == 10)
    #expect(latency.createdAt != "")
  }

  @Test func seedingKeepsRuleOfSameName() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    try await fixture.createRule("Offline", .offline) { $0.threshold = 120 }
    try await fixture.engine.seedDefaultRules()
    try await fixture.engine.seedDefaultRules()

    let offline = try await fixture.engine.rule(named: "Offline")
    #expect(offline.threshold == 120)
    #expect(offline.severity == .warning)
    #expect(try await fixture.engine.listRules(pageSize: 0, pageToken: "").rules.count == 5)
  }

  static let invalidRules: [(String, @Sendable (inout Rule) -> Void)] = [
    ("name", { $0.name = "" }),
    ("name", { $0.name = "bad/name" }),
    ("name", { $0.name = String(repeating: "a", count: 256) }),
    ("metric", { $0.metric = .unspecified }),
    ("metric", { $0.metric = .unrecognized(9) }),
    (
      "scope",
      {
        $0.scope = .device
        $0.metric = .confidenceStddev
        $0.action = .notify
      }
    ),
    ("scope", { $0.scope = .unspecified }),
    ("condition", { $0.condition = .unspecified }),
    ("threshold", { $0.threshold = .nan }),
    ("threshold", { $0.threshold = .infinity }),
    ("threshold", { $0.threshold = -5 }),
    ("threshold", { $0.threshold = 2 }),
    (
      "threshold",
      {
        $0.metric = .confidenceStddev
        $0.action = .retrain
        $0.threshold = -0.1
      }
    ),
    (
      "threshold",
      {
        $0.metric = .offline
        $0.scope = .device
        $0.action = .notify
        $0.windowSeconds = 0
        $0.threshold = 0
      }
    ),
    ("window_seconds", { $0.windowSeconds = 0 }),
    (
      "window_seconds",
      {
        $0.metric = .offline
        $0.scope = .device
        $0.action = .notify
        $0.threshold = 60
        $0.windowSeconds = 3600
      }
    ),
    ("window_seconds", { $0.windowSeconds = -5 }),
    ("min_samples", { $0.minSamples = -1 }),
    ("for_seconds", { $0.forSeconds = -1 }),
    ("severity", { $0.severity = .unspecified }),
    ("action", { $0.action = .unspecified }),
    ("action", { $0.action = .resendDesiredState }),
    ("description", { $0.description = String(repeating: "d", count: 1001) }),
  ]

  @Test("invalid rule names its field", arguments: invalidRules.indices)
  func invalidRuleRejected(index: Int) async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    let (field, change) = Self.invalidRules[index]
    var rule = AlertFixture.rule("Accuracy check", .accuracy)
    change(&rule)
    let error = await #expect(throws: ServiceError.self) {
      try await fixture.engine.createRule(rule, audit: fixture.audit())
    }
    #expect(error?.code == .invalidArgument)
    #expect(error?.message.hasPrefix(field) == true, "\(error?.message ?? "")")
  }

  @Test("thresholds at the edges of their range are accepted")
  func thresholdEdgesAccepted() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    let cases: [(Edgecat_Telemetry_V1_AlertMetric, Double)] = [
      (.accuracy, 0), (.accuracy, 1), (.confidenceStddev, 0), (.offline, 1), (.p99Latency, -1),
    ]
    for (index, (metric, threshold)) in cases.enumerated() {
      var rule = AlertFixture.rule("Edge \(index)", metric)
      rule.threshold = threshold
      let created = try await fixture.engine.createRule(rule, audit: fixture.audit())
      #expect(created.threshold == threshold)
    }
  }

  @Test func offlineRuleRejectsRollback() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    var rule = AlertFixture.rule("Gone", .offline)
    rule.action = .rollback
    let error = await #expect(throws: ServiceError.self) {
      try await fixture.engine.createRule(rule, audit: fixture.audit())
    }
    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains("ALERT_ACTION_NOTIFY") == true)
  }

  @Test func createGetAndMissingRules() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    let created = try await fixture.createRule("Slow cams", .p99Latency)
    #expect(created.description == "p99 latency ms > 50")
    #expect(created.createdAt != "")
    #expect(try await fixture.engine.rule(named: "Slow cams") == created)

    let duplicate = await #expect(throws: ServiceError.self) {
      try await fixture.createRule("Slow cams", .accuracy)
    }
    #expect(duplicate?.code == .alreadyExists)
    let missing = await #expect(throws: ServiceError.self) {
      try await fixture.engine.rule(named: "Nope")
    }
    #expect(missing?.code == .notFound)
    let updateMissing = await #expect(throws: ServiceError.self) {
      try await fixture.engine.updateRule(
        AlertFixture.rule("Nope", .accuracy), mask: [], audit: fixture.audit())
    }
    #expect(updateMissing?.code == .notFound)
    let deleteMissing = await #expect(throws: ServiceError.self) {
      try await fixture.engine.deleteRule(named: "Nope", audit: fixture.audit())
    }
    #expect(deleteMissing?.code == .notFound)
    #expect(try await fixture.auditCount("CreateAlertRule") == 1)
  }

  @Test func updateChangesMaskedFields() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    try await fixture.createRule("Slow cams", .p99Latency)
    var change = AlertFixture.rule("Slow cams", .p99Latency)
    change.threshold = 80
    change.severity = .critical
    let updated = try await fixture.engine.updateRule(
      change, mask: ["threshold"], audit: fixture.audit())

    #expect(updated.threshold == 80)
    #expect(updated.severity == .warning)
    #expect(updated.description == "p99 latency ms > 80")
    #expect(try await fixture.engine.rule(named: "Slow cams") == updated)
    let badMask = await #expect(throws: ServiceError.self) {
      try await fixture.engine.updateRule(change, mask: ["name"], audit: fixture.audit())
    }
    #expect(badMask?.code == .invalidArgument)
    change.windowSeconds = 0
    let invalid = await #expect(throws: ServiceError.self) {
      try await fixture.engine.updateRule(change, mask: [], audit: fixture.audit())
    }
    #expect(invalid?.message.hasPrefix("window_seconds") == true)
  }

  @Test func rulesPageByName() async throws {
    let fixture = try await AlertFixture()
    defer { fixture.stop() }
    for index in [5, 2, 7, 1, 3, 6, 4] { try await fixture.createRule("rule \(index)", .offline) }
    var names: [String] = []
    var token = ""
    var pages = 0
    repeat {
      let page = try await fixture.engine.listRules(pageSize: 3, pageToken: token)
      #expect(page.rules.count <= 3)
      names += page.rules.map(\.name)
      token = page.nextPageToken
      pages += 1
    } while !token.isEmpty
    #expect(names == (1...7).map { "rule \($0)" })
    #expect(pages == 3)
    let bad = await #expect(throws: ServiceError.self) {
      try await fixture.engine.listRules(pageSize: 3, pageToken: "garbage")
    }
    #expect(bad?.code == .invalidArgument)
  }
}
