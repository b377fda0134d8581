import EdgecatCore
import EdgecatProto
import EdgecatStore
import Glibc
import Testing

@testable import EdgecatTelemetry

/// A deterministic generator, so that a failing case repeats.
struct SplitMix: RandomNumberGenerator {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

@Suite("Day figures") struct DayFiguresTests {
  typealias Fixture = TelemetryEngineFixture

  /// Returns the day figures as stored and as computed from the raw rows, both in key order.
  static func figures(_ db: Database) throws -> (stored: [Row], fromRaw: [Row]) {
    let stored = try db.query("SELECT * FROM inference_day_figures ORDER BY 1, 2, 3, 4")
    let fromRaw = try db.query(
      "SELECT date(timestamp), device_id, model_name, model_version, count(*),"
        + " count(confidence), total(confidence), total(confidence * confidence),"
        + " count(latency_ms), total(latency_ms), total(latency_ms * latency_ms)"
        + " FROM inference_logs GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4")
    return (stored, fromRaw)
  }

  /// Checks that two sets of day figures rows agree: keys and counts exactly, sums closely.
  static func expectSame(_ stored: [Row], _ fromRaw: [Row]) {
    #expect(stored.count == fromRaw.count)
    for (row, expected) in zip(stored, fromRaw) {
      for column in 0..<6 { #expect(row[column] == expected[column]) }
      #expect(row[8] == expected[8])
      for column in [6, 7, 9, 10] {
        let value = row[column].double ?? .nan
        let target = expected[column].double ?? .nan
        #expect(abs(value - target) <= 1e-9 * max(1, abs(target)), "column \(column)")
      }
    }
  }

  static func randomRecords(
    count: Int, seqStart: UInt64, using generator: inout SplitMix, start: Double
  ) -> [Edgecat_Telemetry_V1_InferenceLogRecord] {
    (0..<count).map { index in
      Fixture.record(
        device: "cam-\(Int.random(in: 1...4, using: &generator))",
        seq: seqStart + UInt64(index),
        at: start + Double.random(in: 0..<(3 * 86_400), using: &generator),
        version: Int64.random(in: 1...2, using: &generator),
        confidence: Bool.random(using: &generator)
          ? nil : Double.random(in: 0...1, using: &generator),
        latency: Double.random(in: 1...80, using: &generator))
    }
  }

  @Test("ingest keeps figures equal to raw rows")
  func ingestMatchesRaw() async throws {
    let fixture = try await Fixture.start()
    defer { Task { await fixture.stop() } }
    fixture.setClock(Fixture.day0 + 5 * 86_400)
    var generator = SplitMix(state: 7)
    let records = Self.randomRecords(
      count: 600, seqStart: 0, using: &generator, start: Fixture.day0)
    for (index, chunk) in stride(from: 0, to: 600, by: 150).enumerated() {
      _ = try await fixture.ingest(Array(records[chunk..<chunk + 150]), batchID: UInt64(index))
    }
    // A resent batch and a conflicting record change nothing.
    _ = try await fixture.ingest(Array(records[0..<150]), batchID: 9)
    var conflict = records[0]
    conflict.confidence = 0.123
    let counts = try await fixture.ingest([conflict], batchID: 10)
    #expect(counts.ack.conflicts == 1)

    let (stored, fromRaw) = try await fixture.engine.store.read { try Self.figures($0) }
    #expect(stored.count > 10)
    Self.expectSame(stored, fromRaw)
  }

  @Test("retention subtracts dropped records")
  func retentionSubtracts() async throws {
    let fixture = try await Fixture.start(settings: TelemetryEngineSettings(retentionDays: 2))
    defer { Task { await fixture.stop() } }
    let day = 86_400.0
    var generator = SplitMix(state: 11)
    fixture.setClock(Fixture.day0 + 3 * day)
    let old = Self.randomRecords(count: 300, seqStart: 0, using: &generator, start: Fixture.day0)
    _ = try await fixture.ingest(old, batchID: 1)
    fixture.setClock(Fixture.day0 + 5 * day)
    let recent = Self.randomRecords(
      count: 300, seqStart: 300, using: &generator, start: Fixture.day0)
    _ = try await fixture.ingest(recent, batchID: 2)
    fixture.setClock(Fixture.day0 + 6 * day + 60)

    let result = try await fixture.engine.runRetention()

    #expect(result.records == 300)
    let (stored, fromRaw) = try await fixture.engine.store.read { try Self.figures($0) }
    Self.expectSame(stored, fromRaw)
    let total = stored.reduce(0) { $0 + ($1[4].int64 ?? 0) }
    #expect(total == 300)
  }

  @Test("migration fills figures from stored records")
  func migrationFills() async throws {
    var template = Array("/tmp/edgecat-day-figures-XXXXXX".utf8CString)
    let folder =
      template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
      .map { String(cString: $0) } ?? ""
    defer { _ = system("rm -rf '\(folder)'") }
    let path = folder + "/telemetry.db"
    let before = Array(TelemetrySchema.migrations.prefix { $0.version < 5 })
    let old = try Store(path: path, migrations: before)
    try await old.write { db in
      for index in 0..<40 {
        try db.execute(
          "INSERT INTO inference_logs (device_id, timestamp, model_version, prediction,"
            + " confidence, latency_ms, model_name, epoch, seq, received_at, future_clock)"
            + " VALUES (?, ?, '1', 1, ?, ?, 'm', 'e', ?, '2030-01-09 00:00:00.000', 0)",
          .text("d\(index % 3)"), .text("2030-01-0\(7 + index % 2) 10:00:00.000"),
          index % 5 == 0 ? .null : .real(Double(index) / 40), .real(Double(index)),
          .integer(Int64(index)))
      }
    }
    old.close()

    let store = try Store(path: path, migrations: TelemetrySchema.migrations)
    defer { store.close() }
    let (stored, fromRaw) = try await store.read { try Self.figures($0) }

    #expect(stored.count == 6)
    Self.expectSame(stored, fromRaw)
  }
}
