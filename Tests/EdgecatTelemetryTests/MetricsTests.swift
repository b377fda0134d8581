import EdgecatCore
import EdgecatProto
import EdgecatStore
import EdgecatTelemetry
import Glibc
import Testing

/// SplitMix64, so that randomized data is the same on every run.
struct SeededGenerator: RandomNumberGenerator {
  var state: UInt64

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

@Suite("Telemetry metrics")
struct MetricsTests {
  typealias Fixture = TelemetryEngineFixture

  /// Ingests 3,000 records of 4 devices and 3 model versions spread over six hours, with
  /// latencies from 0.5 ms to 500 ms, and labels on some. Returns the fixture.
  static func randomFleet() async throws -> Fixture {
    let fixture = try await Fixture.start()
    var random = SeededGenerator(state: 7)
    var records: [Edgecat_Telemetry_V1_InferenceLogRecord] = []
    for seq in 0..<3000 {
      let device = "cam-\(Int.random(in: 1...4, using: &random))"
      let (model, version): (String, Int64) =
        [("main.ml.defects", 1), ("main.ml.defects", 2), ("main.ml.counts", 1)].randomElement(
          using: &random)!
      let at = Fixture.day0 + Double(Int.random(in: 0..<(6 * 3_600_000), using: &random)) / 1000
      let labelled = Bool.random(using: &random)
      records.append(
        Fixture.record(
          device: device, seq: UInt64(seq), at: at, model: model, version: version,
          prediction: Double(Int.random(in: 0...1, using: &random)),
          confidence: seq % 10 == 0 ? nil : Double.random(in: 0...1, using: &random),
          latency: 0.5 * pow(1000, Double.random(in: 0...1, using: &random)),
          label: labelled ? Double(Int.random(in: 0...1, using: &random)) : nil))
    }
    for start in stride(from: 0, to: records.count, by: 250) {
      _ = try await fixture.ingest(Array(records[start..<start + 250]), batchID: UInt64(start))
    }
    return fixture
  }

  static func fromRows(_ fixture: Fixture, start: Double, end: Double, filter: MetricsFilter)
    async throws -> [Edgecat_Telemetry_V1_DeviceMetrics]
  {
    try await fixture.engine.store.read { db in
      try MetricsFromRows.window(
        db, source: "visible", start: start, end: end, filter: filter,
        commonTableExpressions: "WITH visible AS (SELECT * FROM inference_logs)")
    }
  }

  @Test("rollup metrics equal metrics from rows")
  func rollupsMatchRows() async throws {
    let fixture = try await Self.randomFleet()
    defer { Task { await fixture.stop() } }
    _ = try await fixture.engine.updateLabels([
      Fixture.label(device: "cam-1", seq: 5, 0), Fixture.label(device: "cam-2", seq: 6, 1),
    ])
    let day0 = Fixture.day0
    let windows: [(Double, Double)] = [
      (day0 - 100, day0 + 7 * 3600), (day0 + 1234.567, day0 + 4 * 3600 + 17.0005),
      (day0 + 3600 + 5, day0 + 3600 + 1800), (day0 + 3600, day0 + 3 * 3600),
      (day0 + 2 * 3600 - 0.001, day0 + 5 * 3600 + 0.001),
    ]
    let filters = [
      MetricsFilter(), MetricsFilter(deviceID: "cam-2"), MetricsFilter(modelName: "main.ml.counts"),
      MetricsFilter(modelName: "main.ml.defects", modelVersion: 2),
    ]
    for (start, end) in windows {
      for filter in filters {
        let rollup = try await fixture.engine.metrics(start: start, end: end, filter: filter)
        let rows = try await Self.fromRows(fixture, start: start, end: end, filter: filter)
        #expect(rollup.count == rows.count)
        #expect(!rollup.isEmpty)
        for (left, right) in zip(rollup, rows) {
          #expect(left.deviceID == right.deviceID)
          #expect(left.modelFullName == right.modelFullName)
          #expect(left.modelVersion == right.modelVersion)
          #expect(left.count == right.count)
          #expect(left.labelledCount == right.labelledCount)
          #expect(left.accuracy == right.accuracy)
          #expect(left.p99LatencyMs == right.p99LatencyMs)
          #expect(abs(left.meanConfidence - right.meanConfidence) < 1e-9)
          #expect(abs(left.meanLatencyMs - right.meanLatencyMs) < 1e-9)
        }
      }
    }
  }

  @Test("window counts match the raw rows")
  func windowCounts() async throws {
    let fixture = try await Self.randomFleet()
    defer { Task { await fixture.stop() } }
    let start = Fixture.day0 + 1000.5
    let end = Fixture.day0 + 5 * 3600 + 77.25
    let metrics = try await fixture.engine.metrics(start: start, end: end, filter: MetricsFilter())
    let expected = try await fixture.engine.store.read { db in
      try db.queryOne(
        "SELECT count(*) FROM inference_logs WHERE timestamp >= ? AND timestamp < ?",
        .text(DatetimeText.format(start + 0.0005)), .text(DatetimeText.format(end)))?[0].int64
    }
    #expect(metrics.reduce(0) { $0 + $1.count } == expected)
  }

  @Test("p99 latency is within 1% of the exact value")
  func p99Accuracy() async throws {
    let fixture = try await Self.randomFleet()
    defer { Task { await fixture.stop() } }
    let start = Fixture.day0 + 700.25
    let end = Fixture.day0 + 5 * 3600 + 1.5
    let metrics = try await fixture.engine.metrics(start: start, end: end, filter: MetricsFilter())
    #expect(metrics.count == 12)
    for metric in metrics {
      let latencies = try await fixture.engine.store.read { db in
        try db.query(
          "SELECT latency_ms FROM inference_logs WHERE device_id = ? AND model_name = ?"
            + " AND model_version = ? AND timestamp >= ? AND timestamp < ? ORDER BY latency_ms",
          .text(metric.deviceID), .text(metric.modelFullName), .text(String(metric.modelVersion)),
          .text(DatetimeText.format(start + 0.0005)), .text(DatetimeText.format(end))
        ).compactMap { $0[0].double }
      }
      #expect(Int64(latencies.count) == metric.count)
      let rank = Int((0.99 * Double(latencies.count)).rounded(.up))
      let exact = latencies[max(rank, 1) - 1]
      #expect(abs(metric.p99LatencyMs - exact) <= 0.01 * exact)
    }
  }

  @Test("daily drift is measured against the first day")
  func dailyDrift() async throws {
    let fixture = try await Fixture.start()
    defer { Task { await fixture.stop() } }
    let day = 86_400.0
    let confidences: [(Double, [Double])] = [
      (0, [0.8, 0.9]), (day, [0.6, 0.7]), (2 * day, [0.85, 0.85]),
    ]
    var records: [Edgecat_Telemetry_V1_InferenceLogRecord] = []
    for (offset, values) in confidences {
      for value in values {
        records.append(
          Fixture.record(
            seq: UInt64(records.count), at: Fixture.day0 + offset + 60, confidence: value))
      }
    }
    _ = try await fixture.ingest(records)

    let daily = try await fixture.engine.dailyMetrics(
      startDay: "2030-01-08", endDay: "2030-01-09", filter: MetricsFilter())
    #expect(daily.map(\.day) == ["2030-01-08", "2030-01-09"])
    let deviation = (0.005 as Double).squareRoot()
    #expect(abs(daily[0].meanConfidence - 0.65) < 1e-9)
    #expect(abs(daily[0].stddevConfidence - deviation) < 1e-9)
    #expect(abs(daily[0].drift - 0.2 / deviation) < 1e-6)
    #expect(daily[1].stddevConfidence == 0)
    #expect(abs(daily[1].drift) < 1e-9)

    let all = try await fixture.engine.dailyMetrics(
      startDay: "2030-01-01", endDay: "2030-01-31", filter: MetricsFilter())
    #expect(all.first?.drift == 0)
    let device = try await fixture.engine.dailyMetrics(
      startDay: "2030-01-01", endDay: "2030-01-31", filter: MetricsFilter(deviceID: "cam-1"))
    let rows = try await fixture.engine.store.read { db in
      try MetricsFromRows.daily(
        db, source: "visible", startDay: "2030-01-01", endDay: "2030-01-31",
        filter: MetricsFilter(),
        commonTableExpressions: "WITH visible AS (SELECT * FROM inference_logs)")
    }
    for result in [device, rows] {
      #expect(result.map(\.day) == all.map(\.day))
      for (left, right) in zip(result, all) {
        #expect(left.count == right.count)
        #expect(abs(left.drift - right.drift) < 1e-6)
        #expect(abs(left.stddevConfidence - right.stddevConfidence) < 1e-9)
      }
    }
  }

  @Test("malformed day is rejected")
  func malformedDay() async throws {
    let fixture = try await Fixture.start()
    defer { Task { await fixture.stop() } }
    await #expect {
      _ = try await fixture.engine.dailyMetrics(
        startDay: "2030-13-01", endDay: "2030-12-31", filter: MetricsFilter())
    } throws: { error in
      (error as? ServiceError)?.code == .invalidArgument
    }
  }

  @Test("retention drops old raw records and keeps rollups")
  func retention() async throws {
    let fixture = try await Fixture.start(settings: TelemetryEngineSettings(retentionDays: 2))
    defer { Task { await fixture.stop() } }
    let day = 86_400.0
    let old = (0..<30).map { Fixture.record(seq: UInt64($0), at: Fixture.day0 + Double($0) * 60) }
    _ = try await fixture.ingest(old)
    fixture.setClock(Fixture.day0 + 3 * day + 3600)
    let recent = (30..<40).map {
      Fixture.record(seq: UInt64($0), at: Fixture.day0 + 3 * day + Double($0))
    }
    _ = try await fixture.ingest(recent)
    fixture.setClock(Fixture.day0 + 4 * day + 3600)

    let result = try await fixture.engine.runRetention()
    #expect(result.days == ["2030-01-07"])
    #expect(result.records == 30)
    #expect(try await fixture.rawCount() == 10)
    let metrics = try await fixture.engine.metrics(
      start: Fixture.day0, end: Fixture.day0 + 4 * day, filter: MetricsFilter())
    #expect(metrics.first?.count == 40)
    let again = try await fixture.engine.runRetention()
    #expect(again.records == 0)
  }
}
