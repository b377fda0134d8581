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

  /// Returns the day figures as stored and as computed from the raw rows, both in key order:
  /// keys, record count, then count, sum and M2 of confidence and of latency_ms.
  static func figures(_ db: Database) throws -> (stored: [Row], fromRaw: [Row]) {
    let stored = try db.query(
      "SELECT day, device_id, model_name, model_version, record_count, confidence_count,"
        + " confidence_sum, confidence_m2, latency_count, latency_sum, latency_m2"
        + " FROM inference_day_figures ORDER BY 1, 2, 3, 4")
    let fromRaw = try db.query(
      """
      WITH means AS (
        SELECT date(timestamp) AS day, device_id, model_name, model_version,
          avg(confidence) AS confidence_mean, avg(latency_ms) AS latency_mean
        FROM inference_logs GROUP BY 1, 2, 3, 4)
      SELECT m.day, m.device_id, m.model_name, m.model_version, count(*), count(l.confidence),
        total(l.confidence),
        total((l.confidence - m.confidence_mean) * (l.confidence - m.confidence_mean)),
        count(l.latency_ms), total(l.latency_ms),
        total((l.latency_ms - m.latency_mean) * (l.latency_ms - m.latency_mean))
      FROM inference_logs AS l JOIN means AS m ON date(l.timestamp) = m.day
        AND l.device_id = m.device_id AND l.model_name = m.model_name
        AND l.model_version = m.model_version
      GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
      """)
    return (stored, fromRaw)
  }

  /// Checks that two sets of day figures rows agree: keys and counts exactly, sums and M2
  /// to 1e-9 relative (M2 also to 1e-9 absolute).
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

  /// Runs `sql` over the fixture's database twice: as a caller without a row filter, which
  /// may read the day figures, and with a filter that passes every row, which reads raw rows.
  static func bothWays(_ sql: String, _ fixture: Fixture) async throws
    -> (figures: [[SQLValue]], raw: [[SQLValue]])
  {
    let engine = try QueryEngine(
      path: fixture.path, tables: [QueryFixture.table], clock: { fixture.now.read() })
    defer { engine.close() }
    func rows(_ access: TableAccess) async throws -> [[SQLValue]] {
      var rows: [[SQLValue]] = []
      let pages = engine.run(
        sql: sql, limits: QueryFixture.limits, access: [QueryFixture.tableName: access],
        identity: QueryFixture.admin)
      for try await page in pages {
        rows += page.rows.map { $0.values.map(QueryFixture.value) }
      }
      return rows
    }
    return (try await rows(TableAccess()), try await rows(TableAccess(rowFilter: "1 = 1")))
  }

  static func expectClose(_ figures: [[SQLValue]], _ raw: [[SQLValue]]) {
    #expect(figures.count == raw.count)
    for (row, expected) in zip(figures, raw) {
      for (value, target) in zip(row, expected) {
        if case .real(let number) = target {
          let close = value.double.map { abs($0 - number) <= 1e-9 * max(1, abs(number)) }
          #expect(close == true, "\(value) against \(target)")
        } else {
          #expect(value == target)
        }
      }
    }
  }

  @Test("standard deviation keeps small spreads")
  func smallSpread() async throws {
    let fixture = try await Fixture.start()
    defer { Task { await fixture.stop() } }
    var generator = SplitMix(state: 5)
    // Constant confidence, and latencies a fraction of a millisecond around a million, in
    // batches of 25 so that ingest merges many partial figures.
    for batch in 0..<8 {
      let records = (0..<25).map { index in
        Fixture.record(
          seq: UInt64(batch * 25 + index), at: Fixture.day0 + Double(batch * 25 + index),
          confidence: 0.9, latency: 1_000_000 + Double.random(in: 0..<1, using: &generator))
      }
      _ = try await fixture.ingest(records, batchID: UInt64(batch))
    }

    let (figures, raw) = try await Self.bothWays(
      "SELECT date(timestamp) AS day, stddev(confidence), stddev(latency_ms),"
        + " stddev_pop(latency_ms), avg(latency_ms) FROM \(QueryFixture.tableName)"
        + " GROUP BY day", fixture)

    #expect(raw.count == 1)
    Self.expectClose(figures, raw)
    #expect((raw.first?[2].double ?? 0) > 0.2)
  }

  @Test("retention leaves exact figures")
  func retentionExact() async throws {
    let fixture = try await Fixture.start(settings: TelemetryEngineSettings(retentionDays: 2))
    defer { Task { await fixture.stop() } }
    let day = 86_400.0
    // Huge latencies received long ago share days with small ones received recently.
    fixture.setClock(Fixture.day0 + 3 * day)
    let old = (0..<30).map {
      Fixture.record(
        seq: UInt64($0), at: Fixture.day0 + Double($0 % 3) * day, latency: 1e17 + Double($0))
    }
    _ = try await fixture.ingest(old, batchID: 1)
    fixture.setClock(Fixture.day0 + 5 * day)
    let recent = (30..<60).map {
      Fixture.record(seq: UInt64($0), at: Fixture.day0 + Double($0 % 3) * day, latency: 2.25)
    }
    _ = try await fixture.ingest(recent, batchID: 2)
    fixture.setClock(Fixture.day0 + 6 * day + 60)

    let result = try await fixture.engine.runRetention()

    #expect(result.records == 30)
    let (figures, raw) = try await Self.bothWays(
      "SELECT date(timestamp) AS day, count(*), sum(latency_ms), avg(latency_ms),"
        + " stddev(latency_ms) FROM \(QueryFixture.tableName) GROUP BY day", fixture)
    #expect(raw.count == 3)
    Self.expectClose(figures, raw)
    #expect(figures.first?[3] == .real(2.25))
    let stale = try await fixture.engine.store.read { db in
      try db.queryOne("SELECT count(*) FROM inference_day_figures_stale")?[0].int64
    }
    #expect(stale == 0)
  }

  @Test("stale day reads raw rows")
  func staleDayReadsRawRows() async throws {
    let fixture = try await Fixture.start()
    defer { Task { await fixture.stop() } }
    _ = try await fixture.ingest((0..<10).map { Fixture.record(seq: UInt64($0), at: Fixture.day0) })
    // Figures that disagree with the raw rows, as between a retention chunk and the rebuild.
    try await fixture.engine.store.write { db in
      try db.execute("UPDATE inference_day_figures SET record_count = 99")
      try db.execute("INSERT INTO inference_day_figures_stale (day) VALUES ('2030-01-07')")
    }
    let sql = "SELECT count(*) FROM \(QueryFixture.tableName)"

    let (whileStale, _) = try await Self.bothWays(sql, fixture)
    try await fixture.engine.rebuildStaleDayFigures()
    let (rebuilt, _) = try await Self.bothWays(sql, fixture)

    #expect(whileStale.first?.first == .integer(10))
    #expect(rebuilt.first?.first == .integer(10))
  }
}
