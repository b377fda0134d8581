import EdgecatCore
import EdgecatProto
import EdgecatStore
import EdgecatTelemetry
import Testing

@Suite("Telemetry ingest")
struct IngestTests {
  typealias Fixture = TelemetryEngineFixture

  @Test("ingested record reads back")
  func readBack() async throws {
    let fixture = try await Fixture.start()
    defer { Task { await fixture.stop() } }
    let at = Fixture.day0 + 3600 + 0.25
    let result = try await fixture.ingest(
      [Fixture.record(seq: 7, at: at, model: "Main.ML.Defects", version: 3, label: 1)],
      batchID: 42, regions: ["cam-1": "eu-west"])
    #expect(result.ack.batchID == 42)
    #expect(result.ack.code == 0)
    #expect(result.ack.stored == 1)
    #expect(result.newWriters.count == 1)
    #expect(result.newWriters.first?.model == "main.ml.defects")
    #expect(result.newWriters.first?.version == 3)

    let row = try #require(
      try await fixture.engine.store.read { db in
        try db.queryOne(
          "SELECT device_id, timestamp, model_version, prediction, confidence, latency_ms,"
            + " input_hash, label, region, model_name, epoch, seq, received_at, future_clock"
            + " FROM inference_logs")
      })
    #expect(row["device_id"] == "cam-1")
    #expect(row["timestamp"] == "2030-01-07 01:00:00.250")
    #expect(row["model_version"] == "3")
    #expect(row["prediction"] == .real(1))
    #expect(row["confidence"] == .real(0.9))
    #expect(row["latency_ms"] == .real(12.5))
    #expect(row["input_hash"] == "ab12")
    #expect(row["label"] == .real(1))
    #expect(row["region"] == "eu-west")
    #expect(row["model_name"] == "main.ml.defects")
    #expect(row["epoch"] == "e1")
    #expect(row["seq"] == .integer(7))
    #expect(row["received_at"] == "2030-01-07 12:00:00.000")
    #expect(row["future_clock"] == .integer(0))
  }

  @Test("resent record is a duplicate, changed one a conflict")
  func duplicatesAndConflicts() async throws {
    let fixture = try await Fixture.start()
    defer { Task { await fixture.stop() } }
    let at = Fixture.day0 + 100
    let first = [Fixture.record(seq: 1, at: at), Fixture.record(seq: 2, at: at)]
    _ = try await fixture.ingest(first)
    let again = try await fixture.ingest(
      [
        Fixture.record(seq: 1, at: at), Fixture.record(seq: 2, at: at, confidence: 0.1),
        Fixture.record(seq: 3, at: at),
      ], batchID: 2)
    #expect(again.ack.stored == 1)
    #expect(again.ack.duplicates == 1)
    #expect(again.ack.conflicts == 1)
    #expect(again.newWriters.isEmpty)
    #expect(try await fixture.rawCount() == 3)
    let kept = try await fixture.engine.store.read { db in
      try db.queryOne("SELECT confidence FROM inference_logs WHERE seq = 2")?[0]
    }
    #expect(kept == .real(0.9))
    let metrics = try await fixture.engine.metrics(
      start: Fixture.day0, end: Fixture.day0 + 86_400, filter: MetricsFilter())
    #expect(metrics.first?.count == 3)
  }

  @Test("batch over the record limit stores nothing")
  func overRecordLimit() async throws {
    let fixture = try await Fixture.start(settings: TelemetryEngineSettings(maxBatchRecords: 3))
    defer { Task { await fixture.stop() } }
    let records = (0..<4).map { Fixture.record(seq: UInt64($0), at: Fixture.day0 + 10) }
    let result = try await fixture.ingest(records)
    #expect(result.ack.code == 8)
    #expect(result.ack.message.contains("split"))
    #expect(result.ack.stored == 0)
    #expect(try await fixture.rawCount() == 0)
  }

  @Test("batch over the byte limit stores nothing")
  func overByteLimit() async throws {
    let fixture = try await Fixture.start()
    defer { Task { await fixture.stop() } }
    var batch = Edgecat_Telemetry_V1_IngestBatch()
    batch.records = [Fixture.record(seq: 1, at: Fixture.day0 + 10)]
    let result = try await fixture.engine.ingest(batch, byteCount: 3 << 20, regions: [:])
    #expect(result.ack.code == 8)
    #expect(result.ack.message.contains("bytes"))
    #expect(try await fixture.rawCount() == 0)
  }

  static let invalidRecords: [(String, Edgecat_Telemetry_V1_InferenceLogRecord)] = {
    let good = Fixture.record(seq: 1, at: Fixture.day0)
    var cases: [(String, Edgecat_Telemetry_V1_InferenceLogRecord)] = []
    func add(_ field: String, _ change: (inout Edgecat_Telemetry_V1_InferenceLogRecord) -> Void) {
      var record = good
      change(&record)
      cases.append((field, record))
    }
    add("device_id") { $0.deviceID = "" }
    add("epoch") { $0.epoch = "" }
    add("model_full_name") { $0.modelFullName = "defects" }
    add("model_full_name") { $0.modelFullName = "main..defects" }
    add("model_version") { $0.modelVersion = 0 }
    add("confidence") { $0.confidence = 1.5 }
    add("confidence") { $0.confidence = .nan }
    add("latency_ms") { $0.latencyMs = .infinity }
    add("latency_ms") { $0.latencyMs = -1 }
    add("prediction") { $0.prediction = .nan }
    add("label") { $0.label = .infinity }
    add("input_hash") { $0.inputHash = "xyz" }
    add("timestamp_ms") { $0.timestampMs = 0 }
    add("seq") { $0.seq = UInt64.max }
    // The values the edge agent's LogInference tests reject, which share these rules.
    add("input_hash") { $0.inputHash = "zz" }
    add("confidence") { $0.confidence = 7 }
    add("confidence") { $0.confidence = -0.1 }
    add("prediction") { $0.prediction = .infinity }
    add("label") { $0.label = -.infinity }
    add("timestamp_ms") { $0.timestampMs = -5 }
    add("timestamp_ms") { $0.timestampMs = InferenceRecordRules.endTimestampMilliseconds }
    // A value past the query engine's 1 MiB limit on one value would make every read of its
    // row fail.
    add("input_hash") { $0.inputHash = String(repeating: "ab", count: 65) }
    add("input_hash") { $0.inputHash = String(repeating: "a", count: 1_500_000) }
    add("epoch") { $0.epoch = String(repeating: "e", count: 256) }
    return cases
  }()

  @Test("invalid record stores nothing", arguments: 0..<invalidRecords.count)
  func invalidRecord(caseIndex: Int) async throws {
    let fixture = try await Fixture.start()
    defer { Task { await fixture.stop() } }
    let (field, bad) = Self.invalidRecords[caseIndex]
    var records = [Fixture.record(seq: 100, at: Fixture.day0)]
    records.append(bad)
    let result = try await fixture.ingest(records)
    #expect(result.ack.code == 3)
    #expect(result.ack.message.contains("record 1"))
    #expect(result.ack.message.contains(field))
    #expect(try await fixture.rawCount() == 0)
  }

  @Test("labels apply once and repeats change nothing")
  func labels() async throws {
    let fixture = try await Fixture.start()
    defer { Task { await fixture.stop() } }
    let at = Fixture.day0 + 600
    _ = try await fixture.ingest([
      Fixture.record(seq: 1, at: at, prediction: 1), Fixture.record(seq: 2, at: at, prediction: 0),
    ])
    let batch = try await fixture.ingest(
      [], labels: [Fixture.label(seq: 1, 1), Fixture.label(seq: 9, 1)], batchID: 2)
    #expect(batch.ack.labelsApplied == 1)
    #expect(batch.ack.labelsUnmatched == 1)
    let update = [Fixture.label(seq: 1, 1), Fixture.label(seq: 2, 1)]
    let first = try await fixture.engine.updateLabels(update)
    #expect(first.applied == 2)
    let second = try await fixture.engine.updateLabels(update)
    #expect(second.applied == 2)

    let window = (start: Fixture.day0, end: Fixture.day0 + 86_400)
    let metrics = try await fixture.engine.metrics(
      start: window.start, end: window.end, filter: MetricsFilter())
    #expect(metrics.first?.labelledCount == 2)
    #expect(metrics.first?.accuracy == 0.5)
    let label = try await fixture.engine.store.read { db in
      try db.queryOne("SELECT label FROM inference_logs WHERE seq = 2")?[0]
    }
    #expect(label == .real(1))
  }

  @Test("batch labels apply to its own records")
  func labelsInSameBatch() async throws {
    let fixture = try await Fixture.start()
    defer { Task { await fixture.stop() } }
    let at = Fixture.day0 + 900
    let result = try await fixture.ingest(
      [
        Fixture.record(seq: 1, at: at, prediction: 1),
        Fixture.record(seq: 1, at: at, prediction: 1),
        Fixture.record(seq: 2, at: at, version: 2, prediction: 1, label: 0),
      ], labels: [Fixture.label(seq: 1, 1), Fixture.label(seq: 2, 1)])
    #expect(result.ack.stored == 2)
    #expect(result.ack.duplicates == 1)
    #expect(result.ack.labelsApplied == 2)
    #expect(result.newWriters.count == 2)
    let metrics = try await fixture.engine.metrics(
      start: Fixture.day0, end: Fixture.day0 + 3600, filter: MetricsFilter())
    #expect(metrics.map(\.modelVersion) == [1, 2])
    #expect(metrics.map(\.labelledCount) == [1, 1])
    #expect(metrics.map(\.accuracy) == [1, 1])
  }

  @Test("invalid label update is rejected")
  func invalidLabel() async throws {
    let fixture = try await Fixture.start()
    defer { Task { await fixture.stop() } }
    await #expect {
      _ = try await fixture.engine.updateLabels([Fixture.label(seq: 1, .nan)])
    } throws: { error in
      (error as? ServiceError)?.code == .invalidArgument
    }
  }

  @Test("record ahead of the server clock is flagged and kept")
  func futureClock() async throws {
    let fixture = try await Fixture.start()
    defer { Task { await fixture.stop() } }
    let now = Fixture.day0 + 12 * 3600
    let result = try await fixture.ingest([
      Fixture.record(seq: 1, at: now + 301), Fixture.record(seq: 2, at: now + 299),
    ])
    #expect(result.ack.futureClock == 1)
    #expect(result.ack.stored == 2)
    let flags = try await fixture.engine.store.read { db in
      try db.query("SELECT future_clock FROM inference_logs ORDER BY seq").map { $0[0] }
    }
    #expect(flags == [.integer(1), .integer(0)])
  }

  @Test("64 concurrent batches are stored exactly once")
  func concurrentIngest() async throws {
    let fixture = try await Fixture.start()
    defer { Task { await fixture.stop() } }
    let stored = try await withThrowingTaskGroup(of: Int64.self) { group in
      for caller in 0..<64 {
        group.addTask {
          let records = (0..<50).map {
            Fixture.record(
              device: "cam-\(caller)", seq: UInt64($0), at: Fixture.day0 + Double($0) * 60)
          }
          return try await fixture.ingest(records, batchID: UInt64(caller)).ack.stored
        }
      }
      return try await group.reduce(0, +)
    }
    #expect(stored == 64 * 50)
    #expect(try await fixture.rawCount() == 64 * 50)
    let distinct = try await fixture.engine.store.read { db in
      try db.queryOne("SELECT count(DISTINCT device_id || '/' || seq) FROM inference_logs")?[0]
    }
    #expect(distinct == .integer(64 * 50))
    let metrics = try await fixture.engine.metrics(
      start: Fixture.day0, end: Fixture.day0 + 86_400, filter: MetricsFilter())
    #expect(metrics.count == 64)
    #expect(metrics.allSatisfy { $0.count == 50 })
  }

  @Test("reopening keeps records, rollups and heartbeats")
  func reopen() async throws {
    let fixture = try await Fixture.start()
    defer { Task { await fixture.stop() } }
    _ = try await fixture.ingest([Fixture.record(seq: 1, at: Fixture.day0 + 5)])
    var heartbeat = Edgecat_Telemetry_V1_HeartbeatRequest()
    heartbeat.deviceID = "cam-1"
    heartbeat.agentVersion = "1.4.2"
    heartbeat.spoolRecords = 3
    try await fixture.engine.recordHeartbeat(heartbeat, receivedAt: Fixture.day0 + 7)
    try await fixture.reopen()

    #expect(try await fixture.rawCount() == 1)
    let metrics = try await fixture.engine.metrics(
      start: Fixture.day0, end: Fixture.day0 + 86_400, filter: MetricsFilter())
    #expect(metrics.first?.count == 1)
    let beats = try await fixture.engine.heartbeats()
    #expect(beats["cam-1"]?.agentVersion == "1.4.2")
    #expect(beats["cam-1"]?.spoolRecords == 3)
    #expect(beats["cam-1"]?.receivedAt == Fixture.day0 + 7)
    #expect(beats["cam-1"]?.lastRecordAt == "2030-01-07 12:00:00.000")
  }

  @Test("heartbeat replaces the previous one")
  func heartbeatUpsert() async throws {
    let fixture = try await Fixture.start()
    defer { Task { await fixture.stop() } }
    var heartbeat = Edgecat_Telemetry_V1_HeartbeatRequest()
    heartbeat.deviceID = "cam-2"
    heartbeat.cpuPercent = 10
    try await fixture.engine.recordHeartbeat(heartbeat, receivedAt: 1)
    heartbeat.cpuPercent = 20
    heartbeat.spoolFull = true
    try await fixture.engine.recordHeartbeat(heartbeat, receivedAt: 2)
    let beats = try await fixture.engine.heartbeats()
    #expect(beats.count == 1)
    #expect(beats["cam-2"]?.cpuPercent == 20)
    #expect(beats["cam-2"]?.spoolFull == true)
    #expect(beats["cam-2"]?.lastRecordAt == nil)
  }

  @Test("heartbeat with a long agent version is invalid")
  func heartbeatAgentVersionLength() async throws {
    let fixture = try await Fixture.start()
    defer { Task { await fixture.stop() } }
    var heartbeat = Edgecat_Telemetry_V1_HeartbeatRequest()
    heartbeat.deviceID = "cam-3"
    heartbeat.agentVersion = String(repeating: "1", count: 129)

    var rejection: ServiceError?
    do {
      try await fixture.engine.recordHeartbeat(heartbeat, receivedAt: 1)
    } catch {
      rejection = error
    }

    #expect(rejection?.code == .invalidArgument)
    #expect(rejection?.message.contains("agent_version") == true)
    #expect(rejection?.message.contains("129 bytes") == true)
    #expect(try await fixture.engine.heartbeats().isEmpty)
  }

  @Test("ingest audit event commits with the batch")
  func ingestAudit() async throws {
    let fixture = try await Fixture.start()
    defer { Task { await fixture.stop() } }
    var batch = Edgecat_Telemetry_V1_IngestBatch()
    batch.records = [Fixture.record(seq: 1, at: Fixture.day0)]
    let audit = AuditRecord(
      id: "evt-1", time: Fixture.day0, action: "StreamInferenceLogs", principal: "device:cam-1",
      securable: "main.edge_metrics.inference_logs", parameters: "{}", result: "OK",
      requestID: "r1", peer: "127.0.0.1:1")
    _ = try await fixture.engine.ingest(batch, byteCount: 100, regions: [:], audit: audit)
    let page = try await fixture.engine.listAuditEvents(AuditEventFilter())
    #expect(page.events.map(\.id) == ["evt-1"])
  }
}
