import EdgecatCore
import EdgecatProto
import EdgecatStore
import EdgecatTelemetry
import Glibc
import Synchronization

/// A telemetry engine over a fresh database in a temporary folder, with a clock the test sets.
final class TelemetryEngineFixture: Sendable {
  /// 2030-01-07 00:00:00 UTC, a whole day in seconds since the Unix epoch.
  static let day0: Double = 1_893_974_400

  let folder: String
  let now: ManualClock
  let settings: TelemetryEngineSettings
  private let current: Mutex<TelemetryEngine?>

  var engine: TelemetryEngine { current.withLock { $0! } }
  var path: String { folder + "/telemetry.db" }

  static func start(settings: TelemetryEngineSettings = .init()) async throws
    -> TelemetryEngineFixture
  {
    var template = Array("/tmp/edgecat-telemetry-test-XXXXXX".utf8CString)
    guard mkdtemp(&template) != nil else { throw ServiceError(code: .internal, message: "mkdtemp") }
    let folder = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    let fixture = TelemetryEngineFixture(folder: folder, settings: settings)
    try await fixture.reopen()
    return fixture
  }

  private init(folder: String, settings: TelemetryEngineSettings) {
    self.folder = folder
    self.settings = settings
    now = ManualClock(Self.day0 + 12 * 3600)
    current = Mutex(nil)
  }

  /// Closes the engine if open and opens the same database again.
  func reopen() async throws {
    if let engine = current.withLock({ $0 }) { await engine.close() }
    let clock: @Sendable () -> Double = { [now] in now.read() }
    let engine = try await TelemetryEngine.open(path: path, settings: settings, clock: clock)
    current.withLock { $0 = engine }
  }

  func stop() async {
    await engine.close()
    _ = system("rm -rf '\(folder)'")
  }

  func setClock(_ seconds: Double) { now.set(seconds) }

  /// Ingests `records` and `labels` as one batch with a generous byte count.
  func ingest(
    _ records: [Edgecat_Telemetry_V1_InferenceLogRecord],
    labels: [Edgecat_Telemetry_V1_LabelUpdate] = [], batchID: UInt64 = 1,
    regions: [String: String] = [:]
  ) async throws -> IngestResult {
    var batch = Edgecat_Telemetry_V1_IngestBatch()
    batch.batchID = batchID
    batch.records = records
    batch.labels = labels
    return try await engine.ingest(batch, byteCount: records.count * 120, regions: regions)
  }

  /// Returns how many raw rows the inference log holds.
  func rawCount() async throws -> Int64 {
    try await engine.store.read { db in
      try db.queryOne("SELECT count(*) FROM inference_logs")?[0].int64 ?? -1
    }
  }

  static func record(
    device: String = "cam-1", epoch: String = "e1", seq: UInt64, at seconds: Double,
    model: String = "main.ml.defects", version: Int64 = 1, prediction: Double = 1,
    confidence: Double? = 0.9, latency: Double = 12.5, label: Double? = nil,
    inputHash: String = "ab12"
  ) -> Edgecat_Telemetry_V1_InferenceLogRecord {
    var record = Edgecat_Telemetry_V1_InferenceLogRecord()
    record.deviceID = device
    record.epoch = epoch
    record.seq = seq
    record.timestampMs = Int64((seconds * 1000).rounded())
    record.modelFullName = model
    record.modelVersion = version
    record.prediction = prediction
    if let confidence { record.confidence = confidence }
    record.latencyMs = latency
    record.inputHash = inputHash
    if let label { record.label = label }
    return record
  }

  static func label(device: String = "cam-1", epoch: String = "e1", seq: UInt64, _ value: Double)
    -> Edgecat_Telemetry_V1_LabelUpdate
  {
    var update = Edgecat_Telemetry_V1_LabelUpdate()
    update.deviceID = device
    update.epoch = epoch
    update.seq = seq
    update.label = value
    return update
  }
}

/// A clock that stays where the test sets it.
final class ManualClock: Sendable {
  private let seconds: Mutex<Double>

  init(_ seconds: Double) { self.seconds = Mutex(seconds) }

  func read() -> Double { seconds.withLock { $0 } }

  func set(_ value: Double) { seconds.withLock { $0 = value } }
}
