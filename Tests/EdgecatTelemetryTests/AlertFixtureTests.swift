import EdgecatCore
import EdgecatProto
import EdgecatStore
import EdgecatTelemetry
import Glibc
import Synchronization
import Testing

/// An alert engine over a fresh telemetry database in a temporary folder, with a clock the
/// test moves and actions that only record their calls.
final class AlertFixture: Sendable {
  /// 2030-01-15 12:00:00 UTC, in seconds since the Unix epoch.
  static let start: Double = 1_894_708_800

  let folder: String
  let store: Store
  let clock = TestClock(AlertFixture.start)
  let actions = RecordingActions()
  let engine: AlertEngine
  private let sequence = Atomic<Int64>(0)

  init(settings: AlertSettings = AlertSettings()) async throws {
    var template = Array("/tmp/edgecat-alert-test-XXXXXX".utf8CString)
    let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    folder = created.map { String(cString: $0) } ?? ""
    store = try await Store.open(
      path: folder + "/telemetry.db", migrations: TelemetrySchema.migrations)
    engine = AlertEngine(
      store: store, settings: settings, clock: { [clock] in clock.now }, actions: actions)
  }

  func stop() {
    store.close()
    _ = system("rm -rf '\(folder)'")
  }

  /// Returns an engine with other settings over the same database.
  func engine(settings: AlertSettings) -> AlertEngine {
    AlertEngine(store: store, settings: settings, clock: { [clock] in clock.now }, actions: actions)
  }

  /// Stores `count` records of one device and model version, `secondsAgo` before the clock.
  func insertRecords(
    _ count: Int, device: String = "cam-1", model: String = "main.ml.defects",
    version: Int64 = 3, secondsAgo: Double = 10, prediction: Double = 1, label: Double? = nil,
    latency: @escaping @Sendable (Int) -> Double = { _ in 5 },
    confidence: @escaping @Sendable (Int) -> Double = { _ in 0.9 }
  ) async throws {
    let time = DatetimeText.format(clock.now - secondsAgo)
    let first = sequence.add(Int64(count), ordering: .relaxed).newValue - Int64(count)
    try await store.write { db in
      for index in 0..<count {
        try db.execute(
          "INSERT INTO inference_logs VALUES (?, ?, ?, ?, ?, ?, 'hash', ?, 'eu', ?, 'epoch-1',"
            + " ?, ?, 0)",
          .text(device), .text(time), .text(String(version)), .real(prediction),
          .real(confidence(index)), .real(latency(index)), SQLValue(label), .text(model),
          .integer(first + Int64(index)), .text(time))
      }
    }
  }

  /// Stores a heartbeat of `device` received `secondsAgo` before the clock.
  func heartbeat(_ device: String, secondsAgo: Double = 0) async throws {
    let time = clock.now - secondsAgo
    try await store.write { db in
      try db.execute(
        "INSERT OR REPLACE INTO heartbeats VALUES (?, ?, 0, '1.0.0', 0, 0, 0, 0, 0, 0)",
        .text(device), .real(time))
    }
  }

  /// Returns the number of audit events of `action`.
  func auditCount(_ action: String, principal: String? = nil) async throws -> Int {
    try await store.read { db in
      let row = try db.queryOne(
        "SELECT COUNT(*) FROM audit_events WHERE action = ? AND principal = COALESCE(?, principal)",
        .text(action), SQLValue(principal))
      return row?[0].int ?? 0
    }
  }

  /// Returns an audit event of `action` by alice.
  func audit(_ action: String = "Test") -> AuditRecord {
    AuditRecord(
      id: "evt-test-\(sequence.add(1, ordering: .relaxed).newValue)", time: clock.now,
      action: action, principal: "alice@example.com", securable: nil, parameters: "{}",
      result: "OK", requestID: "test", peer: "127.0.0.1:1")
  }

  /// Creates a rule from `base` changed by `change`, enabled and with a generated description.
  @discardableResult
  func createRule(
    _ name: String, _ metric: Edgecat_Telemetry_V1_AlertMetric,
    change: (inout Edgecat_Telemetry_V1_AlertRule) -> Void = { _ in }
  ) async throws -> Edgecat_Telemetry_V1_AlertRule {
    var rule = AlertFixture.rule(name, metric)
    change(&rule)
    return try await engine.createRule(rule, audit: audit("CreateAlertRule"))
  }

  /// Returns a valid rule of `metric` with the default rule's scope, threshold and window.
  static func rule(_ name: String, _ metric: Edgecat_Telemetry_V1_AlertMetric)
    -> Edgecat_Telemetry_V1_AlertRule
  {
    var rule = Edgecat_Telemetry_V1_AlertRule()
    rule.name = name
    rule.metric = metric
    rule.severity = .warning
    rule.action = .notify
    rule.enabled = true
    switch metric {
    case .accuracy:
      (rule.scope, rule.condition, rule.threshold) = (.modelVersion, .below, 0.9)
      (rule.windowSeconds, rule.minSamples, rule.action) = (3600, 50, .rollback)
    case .p99Latency:
      (rule.scope, rule.condition, rule.threshold) = (.device, .above, 50)
      (rule.windowSeconds, rule.minSamples) = (900, 100)
    case .offline:
      (rule.scope, rule.condition, rule.threshold) = (.device, .above, 3600)
    case .confidenceStddev:
      (rule.scope, rule.condition, rule.threshold) = (.modelVersion, .above, 0.15)
      (rule.windowSeconds, rule.minSamples, rule.action) = (86_400, 100, .retrain)
    default:
      (rule.scope, rule.condition, rule.threshold) = (.device, .above, 0.5)
      rule.action = .resendDesiredState
    }
    return rule
  }
}

/// A clock the test sets, in seconds since the Unix epoch. Thread-safe.
final class TestClock: Sendable {
  private let value: Mutex<Double>

  init(_ start: Double) { value = Mutex(start) }

  var now: Double { value.withLock { $0 } }

  func advance(_ seconds: Double) { value.withLock { $0 += seconds } }
}

/// Alert actions that record each call and return a fixed text. Thread-safe.
final class RecordingActions: AlertActions {
  struct Rollback: Equatable {
    let model: String
    let version: Int64
    let firingID: String
  }

  let rollbacks = Mutex<[Rollback]>([])
  let resends = Mutex<[String]>([])

  func rollback(modelFullName: String, version: Int64, firingID: String, reason: String) async
    -> String
  {
    rollbacks.withLock {
      $0.append(Rollback(model: modelFullName, version: version, firingID: firingID))
    }
    return "rolled back \(modelFullName)/\(version)"
  }

  func resendDesiredState(deviceID: String, reason: String) async -> String {
    resends.withLock { $0.append(deviceID) }
    return "resent to \(deviceID)"
  }

  var rollbackCalls: [Rollback] { rollbacks.withLock { $0 } }
  var resendCalls: [String] { resends.withLock { $0 } }
}
