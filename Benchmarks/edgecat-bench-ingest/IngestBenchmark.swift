import EdgecatCore
import EdgecatProto
import EdgecatTelemetry

/// Engine ingest through one caller and through 64 concurrent callers, then raw SQLite.
struct IngestBenchmark {
  static let batchSize = 1000
  let folder: String
  let records: Int

  func run(engineOnly: Bool = false) async throws {
    let batches = max(1, records / Self.batchSize)
    print("records: \(batches * Self.batchSize), batch size: \(Self.batchSize)")
    let one = try await engineIngest(callers: 1, batchesPerCaller: batches, name: "one")
    report("engine, 1 caller", one)
    if engineOnly { return }
    let stream = try await engineIngest(
      callers: 1, batchesPerCaller: batches, name: "stream", window: 8)
    report("engine, 1 caller with 8 batches in flight", stream)
    let many = try await engineIngest(
      callers: 64, batchesPerCaller: max(1, batches / 64), name: "many")
    report("engine, 64 callers", many)
    let raw = try RawSQLiteBaseline(
      path: folder + "/raw.db", records: batches * Self.batchSize, batchSize: Self.batchSize
    ).run()
    report("raw SQLite", raw)
    print(
      "engine/raw: 1 caller \(percent(one.rate / raw.rate)),"
        + " 1 caller with 8 in flight \(percent(stream.rate / raw.rate)),"
        + " 64 callers \(percent(many.rate / raw.rate))")
  }

  /// Only the raw SQLite inserts, the figures the service's ingest is compared with: one row
  /// per INSERT, and 500 rows per INSERT as the engine's multi-row statements insert them.
  func runRaw() throws {
    let batches = max(1, records / Self.batchSize)
    let raw = try RawSQLiteBaseline(
      path: folder + "/raw.db", records: batches * Self.batchSize, batchSize: Self.batchSize
    ).run()
    report("raw SQLite", raw)
    let multiRow = try RawSQLiteBaseline(
      path: folder + "/raw-multi-row.db", records: batches * Self.batchSize,
      batchSize: Self.batchSize, rowsPerStatement: 500
    ).run()
    report("raw SQLite, 500 rows per INSERT", multiRow)
  }

  /// Ingests through `callers` tasks, each sending its own device's batches one at a time.
  /// A `window` above 1 keeps that many of a caller's batches in flight, as one ingest stream
  /// does with its window of unacknowledged batches.
  private func engineIngest(
    callers: Int, batchesPerCaller: Int, name: String, window: Int = 1
  ) async throws -> Measurement {
    let engine = try await TelemetryEngine.open(path: folder + "/engine-\(name).db")
    let start = wallClockSeconds() - 86_400
    var work: [[Edgecat_Telemetry_V1_IngestBatch]] = []
    for caller in 0..<callers {
      var factory = RecordFactory(state: UInt64(caller + 1))
      work.append(
        (0..<batchesPerCaller).map { index in
          factory.batch(
            device: "dev-\(caller)", epoch: "epoch-\(caller)",
            firstSeq: UInt64(index * Self.batchSize), count: Self.batchSize,
            startMilliseconds: Int64(start * 1000) + Int64(index * Self.batchSize) * 50,
            stepMilliseconds: 50, batchID: UInt64(index))
        })
    }
    let total = callers * batchesPerCaller * Self.batchSize
    let cpuBefore = Clock.cpu()
    let before = Clock.now()
    let stored = try await withThrowingTaskGroup(of: Int64.self) { group in
      for batches in work {
        group.addTask {
          try await Self.send(batches, to: engine, window: window)
        }
      }
      return try await group.reduce(0, +)
    }
    let elapsed = Clock.now() - before
    let cpu = Clock.cpu() - cpuBefore
    precondition(stored == total, "stored \(stored) of \(total) records")
    let commits = engine.store.commitCount
    await engine.close()
    print("  \(name): \(commits) commits")
    return Measurement(records: total, seconds: elapsed, cpuSeconds: cpu)
  }

  /// Sends `batches` in order with up to `window` of them awaiting their acknowledgement, and
  /// returns the records stored.
  private static func send(
    _ batches: [Edgecat_Telemetry_V1_IngestBatch], to engine: TelemetryEngine, window: Int
  ) async throws -> Int64 {
    try await withThrowingTaskGroup(of: Int64.self) { group in
      var stored: Int64 = 0
      for (index, batch) in batches.enumerated() {
        if index >= window, let acknowledged = try await group.next() { stored += acknowledged }
        group.addTask {
          try await engine.ingest(batch, byteCount: batch.records.count * 130, regions: [:])
            .ack.stored
        }
      }
      for try await acknowledged in group { stored += acknowledged }
      return stored
    }
  }

  private func report(_ label: String, _ measurement: Measurement) {
    let microseconds = measurement.cpuSeconds / Double(measurement.records) * 1e6
    print(
      "\(label): \(Int(measurement.rate)) records/s"
        + " (\(measurement.records) in \(rounded(measurement.seconds)) s,"
        + " \(rounded(microseconds)) µs CPU per record)")
  }

  private func percent(_ ratio: Double) -> String { "\(Int((ratio * 100).rounded()))%" }
}

struct Measurement {
  let records: Int
  let seconds: Double
  let cpuSeconds: Double
  var rate: Double { Double(records) / seconds }
}

func rounded(_ value: Double) -> String {
  String(Double(Int((value * 100).rounded())) / 100)
}
