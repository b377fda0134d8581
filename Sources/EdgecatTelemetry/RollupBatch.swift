import EdgecatStore

/// A device, model, model version and hour since the Unix epoch: one hourly rollup row.
struct HourlyKey: Hashable, Sendable {
  var device: String
  var model: String
  var version: Int64
  var hour: Int64
}

/// A model version and day since the Unix epoch: one daily rollup row.
struct DailyKey: Hashable, Sendable {
  var model: String
  var version: Int64
  var day: Int64
}

/// The rollup changes of one batch's stored records, summed in memory on the writer thread and
/// then added to the rollup tables in the batch's transaction.
struct RollupBatch {
  private(set) var hourlyKeys: [HourlyKey] = []
  private(set) var hourlyFigures: [RollupFigures] = []
  private var hourlyIndex: [HourlyKey: Int] = [:]
  private var dailyKeys: [DailyKey] = []
  private var dailyFigures: [DailyFigures] = []
  private var dailyIndex: [DailyKey: Int] = [:]
  // The last rows touched, because a batch's records mostly share device, model and hour.
  private var lastHourly = -1
  private var lastDaily = -1

  mutating func add(
    device: String, model: String, version: Int64, timestampMilliseconds: Int64,
    confidence: Double?, latency: Double, prediction: Double, label: Double?
  ) {
    let hour = timestampMilliseconds / 3_600_000
    let hourly = hourlyRow(device: device, model: model, version: version, hour: hour)
    hourlyFigures[hourly].add(
      confidence: confidence, latency: latency, prediction: prediction, label: label)
    let daily = dailyRow(model: model, version: version, day: hour / 24)
    dailyFigures[daily].add(confidence: confidence)
  }

  private mutating func hourlyRow(device: String, model: String, version: Int64, hour: Int64)
    -> Int
  {
    if lastHourly >= 0 {
      let key = hourlyKeys[lastHourly]
      if key.hour == hour, key.version == version, key.device == device, key.model == model {
        return lastHourly
      }
    }
    let key = HourlyKey(device: device, model: model, version: version, hour: hour)
    if let index = hourlyIndex[key] {
      lastHourly = index
      return index
    }
    hourlyKeys.append(key)
    hourlyFigures.append(RollupFigures())
    lastHourly = hourlyKeys.count - 1
    hourlyIndex[key] = lastHourly
    return lastHourly
  }

  private mutating func dailyRow(model: String, version: Int64, day: Int64) -> Int {
    if lastDaily >= 0 {
      let key = dailyKeys[lastDaily]
      if key.day == day, key.version == version, key.model == model { return lastDaily }
    }
    let key = DailyKey(model: model, version: version, day: day)
    if let index = dailyIndex[key] {
      lastDaily = index
      return index
    }
    dailyKeys.append(key)
    dailyFigures.append(DailyFigures())
    lastDaily = dailyKeys.count - 1
    dailyIndex[key] = lastDaily
    return lastDaily
  }

  /// Adds the batch's figures to the rollup tables and the day figures, and records each
  /// device's last receive.
  func save(receivedAtText: String, into db: Database) throws {
    try saveHourly(into: db)
    try saveDaily(into: db)
    try saveDayFigures(into: db)
    var devices = Set<String>()
    for key in hourlyKeys where devices.insert(key.device).inserted {
      try db.execute(
        "INSERT INTO device_activity (device_id, last_received_at) VALUES (?, ?)"
          + " ON CONFLICT (device_id) DO UPDATE SET last_received_at ="
          + " max(last_received_at, excluded.last_received_at)",
        .text(key.device), .text(receivedAtText))
    }
  }

  private func saveHourly(into db: Database) throws {
    for (key, figures) in zip(hourlyKeys, hourlyFigures) {
      var histogram = figures.histogram
      let stored = try db.queryOne(
        "SELECT latency_histogram FROM rollup_hourly WHERE hour = ? AND device_id = ?"
          + " AND model_name = ? AND model_version = ?",
        .integer(key.hour), .text(key.device), .text(key.model), .integer(key.version))
      if let bytes = stored?[0].bytes {
        guard let previous = LatencyHistogram(encoded: bytes) else {
          throw RollupCorruption(
            message: "latency histogram of device \(key.device), model \(key.model) version"
              + " \(key.version), hour \(key.hour) cannot be decoded")
        }
        histogram.merge(previous)
      }
      try db.execute(
        "INSERT INTO rollup_hourly (hour, device_id, model_name, model_version, record_count,"
          + " confidence_count, confidence_sum, confidence_squares, latency_sum, labelled_count,"
          + " correct_count, latency_histogram) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT (hour, device_id, model_name, model_version) DO UPDATE SET"
          + " record_count = record_count + excluded.record_count,"
          + " confidence_count = confidence_count + excluded.confidence_count,"
          + " confidence_sum = confidence_sum + excluded.confidence_sum,"
          + " confidence_squares = confidence_squares + excluded.confidence_squares,"
          + " latency_sum = latency_sum + excluded.latency_sum,"
          + " labelled_count = labelled_count + excluded.labelled_count,"
          + " correct_count = correct_count + excluded.correct_count,"
          + " latency_histogram = excluded.latency_histogram",
        .integer(key.hour), .text(key.device), .text(key.model), .integer(key.version),
        .integer(figures.count), .integer(figures.confidenceCount), .real(figures.confidenceSum),
        .real(figures.confidenceSquares), .real(figures.latencySum),
        .integer(figures.labelledCount), .integer(figures.correctCount),
        .blob(histogram.encoded()))
    }
  }

  private func saveDaily(into db: Database) throws {
    for (key, figures) in zip(dailyKeys, dailyFigures) {
      try db.execute(
        "INSERT INTO rollup_daily (model_name, model_version, day, record_count,"
          + " confidence_count, confidence_sum, confidence_squares) VALUES (?, ?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT (model_name, model_version, day) DO UPDATE SET"
          + " record_count = record_count + excluded.record_count,"
          + " confidence_count = confidence_count + excluded.confidence_count,"
          + " confidence_sum = confidence_sum + excluded.confidence_sum,"
          + " confidence_squares = confidence_squares + excluded.confidence_squares",
        .text(key.model), .integer(key.version), .text(TimestampText.day(key.day)),
        .integer(figures.count), .integer(figures.confidenceCount), .real(figures.confidenceSum),
        .real(figures.confidenceSquares))
    }
  }
}

/// A stored rollup that cannot be read back, which only a damaged database produces.
struct RollupCorruption: Error, CustomStringConvertible {
  let message: String
  var description: String { message }
}
