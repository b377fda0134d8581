import EdgecatCore
import EdgecatProto
import EdgecatTelemetry

/// Loads a fleet's month of records through the engine, then times metrics over it.
struct LoadBenchmark {
  static let devices = 500
  static let days = 30
  static let callers = 16
  let folder: String
  let records: Int

  func run() async throws {
    let engine = try await TelemetryEngine.open(path: folder + "/load.db")
    // The records run up to now, so that the last hour holds its share of them.
    let end = wallClockSeconds()
    let start = end - Double(Self.days) * 86_400
    try await load(engine, start: start, end: end)

    let middle = ((start + 15 * 86_400) / 3600).rounded(.down) * 3600
    try await time("metrics, 1 h window not aligned to hours") {
      try await engine.metrics(start: middle + 1234.5, end: middle + 4834.5, filter: .init())
        .count
    }
    try await time("metrics, 1 h window aligned to an hour") {
      try await engine.metrics(start: middle, end: middle + 3600, filter: .init()).count
    }
    try await time("metrics, 1 h window, one device") {
      try await engine.metrics(
        start: middle + 1234.5, end: middle + 4834.5, filter: .init(deviceID: "dev-7")
      ).count
    }
    try await time("daily metrics, 30 days") {
      try await engine.dailyMetrics(
        startDay: DatetimeText.format(start).prefix(10).description,
        endDay: DatetimeText.format(end - 1).prefix(10).description, filter: .init()
      ).count
    }
    try await time("daily metrics, 30 days, one device") {
      try await engine.dailyMetrics(
        startDay: DatetimeText.format(start).prefix(10).description,
        endDay: DatetimeText.format(end - 1).prefix(10).description,
        filter: .init(deviceID: "dev-7")
      ).count
    }
    await engine.close()
  }

  /// Sends each device's records in time order, in batches of 1,000, from 16 callers at once.
  private func load(_ engine: TelemetryEngine, start: Double, end: Double) async throws {
    let perDevice = max(1, records / Self.devices)
    let step = Int64((end - start) * 1000) / Int64(perDevice)
    let batchesPerDevice = (perDevice + IngestBenchmark.batchSize - 1) / IngestBenchmark.batchSize
    let before = Clock.now()
    let total = try await withThrowingTaskGroup(of: Int.self) { group in
      for caller in 0..<Self.callers {
        group.addTask {
          var factory = RecordFactory(state: UInt64(caller + 1))
          var sent = 0
          for batchIndex in 0..<batchesPerDevice {
            for device in stride(from: caller, to: Self.devices, by: Self.callers) {
              let first = batchIndex * IngestBenchmark.batchSize
              let count = min(IngestBenchmark.batchSize, perDevice - first)
              let batch = factory.batch(
                device: "dev-\(device)", epoch: "epoch-\(device)", firstSeq: UInt64(first),
                count: count,
                startMilliseconds: Int64(start * 1000) + Int64(first) * step + Int64(device) * 97,
                stepMilliseconds: step, batchID: UInt64(batchIndex))
              _ = try await engine.ingest(batch, byteCount: count * 130, regions: [:])
              sent += count
            }
            if caller == 0 {
              print("  loaded batch round \(batchIndex + 1) of \(batchesPerDevice)")
            }
          }
          return sent
        }
      }
      return try await group.reduce(0, +)
    }
    let seconds = Clock.now() - before
    print("loaded \(total) records in \(rounded(seconds)) s: \(Int(Double(total) / seconds))/s")
  }

  /// Runs `body` five times and prints the fastest and the slowest run in milliseconds.
  private func time(_ label: String, _ body: () async throws -> Int) async throws {
    var runs: [Double] = []
    var rows = 0
    for _ in 0..<5 {
      let before = Clock.now()
      rows = try await body()
      runs.append((Clock.now() - before) * 1000)
    }
    print(
      "\(label): \(rows) rows, fastest \(rounded(runs.min()!)) ms,"
        + " slowest \(rounded(runs.max()!)) ms")
  }
}
