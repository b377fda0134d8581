import EdgecatCore
import EdgecatProto
import EdgecatStore
import EdgecatTelemetry
import Testing

@Suite("Telemetry ingest pipeline and partitions")
struct PipelinedIngestTests {
  typealias Fixture = TelemetryEngineFixture

  static func batch(_ id: UInt64, _ records: [Edgecat_Telemetry_V1_InferenceLogRecord])
    -> Edgecat_Telemetry_V1_IngestBatch
  {
    var batch = Edgecat_Telemetry_V1_IngestBatch()
    batch.batchID = id
    batch.records = records
    return batch
  }

  static func partitions(_ fixture: Fixture) async throws -> [String] {
    try await partitions(fixture.engine.store)
  }

  static func partitions(_ store: Store) async throws -> [String] {
    try await store.read { db in
      try db.query(
        "SELECT received_day, first_rowid, last_rowid FROM inference_log_partitions ORDER BY 1"
      ).map { row in
        "\(row[0].string ?? "?") \(row[1].int64 ?? -1)-\(row[2].int64 ?? -1)"
      }
    }
  }

  @Test("submitted batches commit in submit order")
  func submitOrder() async throws {
    let fixture = try await Fixture.start()
    defer { Task { await fixture.stop() } }
    let at = Fixture.day0 + 60
    let first = (1...3).map { Fixture.record(seq: $0, at: at) }
    let invalid = [Fixture.record(seq: 9, at: at, latency: -1)]
    let second = (1...4).map { Fixture.record(seq: $0, at: at) }
    let pending = [
      fixture.engine.submitIngest(Self.batch(1, first), byteCount: 300, regions: [:]),
      fixture.engine.submitIngest(Self.batch(2, invalid), byteCount: 100, regions: [:]),
      fixture.engine.submitIngest(Self.batch(3, second), byteCount: 400, regions: [:]),
    ]
    var acks: [Edgecat_Telemetry_V1_IngestAck] = []
    for batch in pending { acks.append(try await batch.result().ack) }

    #expect(acks.map(\.batchID) == [1, 2, 3])
    #expect(acks[0].stored == 3)
    #expect(acks[1].code == 3)
    #expect(acks[1].stored == 0)
    #expect(acks[2].stored == 1)
    #expect(acks[2].duplicates == 3)
    #expect(try await fixture.rawCount() == 4)
  }

  @Test("ingest records each received day's rowids")
  func partitionMap() async throws {
    let fixture = try await Fixture.start()
    defer { Task { await fixture.stop() } }
    _ = try await fixture.ingest((0..<3).map { Fixture.record(seq: $0, at: Fixture.day0) })
    _ = try await fixture.ingest((0..<3).map { Fixture.record(seq: $0, at: Fixture.day0) })
    fixture.setClock(Fixture.day0 + 86_400 + 60)
    _ = try await fixture.ingest((3..<5).map { Fixture.record(seq: $0, at: Fixture.day0) })
    #expect(try await Self.partitions(fixture) == ["2030-01-07 1-3", "2030-01-08 4-5"])
  }

  @Test("retention keeps records a clock step put in an old range")
  func retentionAfterClockStep() async throws {
    let fixture = try await Fixture.start(settings: TelemetryEngineSettings(retentionDays: 2))
    defer { Task { await fixture.stop() } }
    let day = 86_400.0
    _ = try await fixture.ingest((0..<5).map { Fixture.record(seq: $0, at: Fixture.day0) })
    fixture.setClock(Fixture.day0 + 3 * day)
    _ = try await fixture.ingest((5..<8).map { Fixture.record(seq: $0, at: Fixture.day0) })
    fixture.setClock(Fixture.day0 + 3600)
    _ = try await fixture.ingest((8..<10).map { Fixture.record(seq: $0, at: Fixture.day0) })
    #expect(try await Self.partitions(fixture) == ["2030-01-07 1-10", "2030-01-10 6-8"])

    fixture.setClock(Fixture.day0 + 4 * day)
    let result = try await fixture.engine.runRetention()
    #expect(result.days == ["2030-01-07"])
    #expect(result.records == 7)
    #expect(try await fixture.rawCount() == 3)
    #expect(try await Self.partitions(fixture) == ["2030-01-10 6-8"])
  }

  @Test("retention deletes a long day in chunks")
  func retentionChunks() async throws {
    let fixture = try await Fixture.start(settings: TelemetryEngineSettings(retentionDays: 1))
    defer { Task { await fixture.stop() } }
    // Retention scans 20,000 rowids per transaction, so this day takes three.
    let count = 40_010
    for start in stride(from: 0, to: count, by: 5_000) {
      let records = (start..<min(count, start + 5_000)).map {
        Fixture.record(seq: UInt64($0), at: Fixture.day0)
      }
      _ = try await fixture.ingest(records, batchID: UInt64(start))
    }
    fixture.setClock(Fixture.day0 + 3 * 86_400)
    let result = try await fixture.engine.runRetention()
    #expect(result.records == Int64(count))
    #expect(try await fixture.rawCount() == 0)
    #expect(try await Self.partitions(fixture).isEmpty)
  }

  @Test("migration fills the map and drops the index")
  func migrationBackfill() async throws {
    let fixture = try await Fixture.start()
    defer { Task { await fixture.stop() } }
    let path = fixture.folder + "/older.db"
    let older = Array(TelemetrySchema.migrations.prefix { $0.version < 6 })
    let store = try await Store.open(path: path, migrations: older)
    try await store.write { db in
      for (seq, day) in [(1, "07"), (2, "07"), (3, "08")] {
        try db.execute(
          "INSERT INTO inference_logs (device_id, timestamp, model_version, model_name, epoch,"
            + " seq, received_at, future_clock) VALUES ('cam-1', '2030-01-07 00:00:00.000',"
            + " '1', 'main.ml.defects', 'e1', ?, ?, 0)",
          .integer(Int64(seq)), .text("2030-01-\(day) 10:00:00.000"))
      }
    }
    store.close()
    let engine = try await TelemetryEngine.open(path: path)
    defer { Task { await engine.close() } }

    #expect(engine.store.schemaVersion == TelemetrySchema.migrations.last?.version)
    #expect(try await Self.partitions(engine.store) == ["2030-01-07 1-2", "2030-01-08 3-3"])
    let index = try await engine.store.read { db in
      try db.queryOne(
        "SELECT count(*) FROM sqlite_schema WHERE name = 'inference_logs_by_received'")?[0]
    }
    #expect(index == .integer(0))
  }
}
