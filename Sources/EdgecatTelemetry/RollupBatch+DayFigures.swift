import EdgecatStore

/// A UTC day of record time, device, model and model version: one row of the day figures.
struct DayFiguresKey: Hashable, Sendable {
  var day: Int64
  var device: String
  var model: String
  var version: Int64
}

extension RollupBatch {
  static let addDayFiguresSQL =
    "INSERT INTO inference_day_figures (day, device_id, model_name, model_version,"
    + " record_count, confidence_count, confidence_sum, confidence_squares, latency_count,"
    + " latency_sum, latency_squares) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    + " ON CONFLICT (day, device_id, model_name, model_version) DO UPDATE SET"
    + " record_count = record_count + excluded.record_count,"
    + " confidence_count = confidence_count + excluded.confidence_count,"
    + " confidence_sum = confidence_sum + excluded.confidence_sum,"
    + " confidence_squares = confidence_squares + excluded.confidence_squares,"
    + " latency_count = latency_count + excluded.latency_count,"
    + " latency_sum = latency_sum + excluded.latency_sum,"
    + " latency_squares = latency_squares + excluded.latency_squares"

  /// Adds the batch's hourly figures, summed by day, to the day figures. Every stored record
  /// has a latency, so the latency count is the record count.
  func saveDayFigures(into db: Database) throws {
    var keys: [DayFiguresKey] = []
    var sums: [DayFiguresKey: RollupFigures] = [:]
    for (key, figures) in zip(hourlyKeys, hourlyFigures) {
      let dayKey = DayFiguresKey(
        day: key.hour / 24, device: key.device, model: key.model, version: key.version)
      if sums[dayKey] == nil { keys.append(dayKey) }
      sums[dayKey, default: RollupFigures()].merge(figures)
    }
    for key in keys {
      guard let figures = sums[key] else { continue }
      try db.execute(
        Self.addDayFiguresSQL, .text(TimestampText.day(key.day)), .text(key.device),
        .text(key.model), .text(String(key.version)), .integer(figures.count),
        .integer(figures.confidenceCount), .real(figures.confidenceSum),
        .real(figures.confidenceSquares), .integer(figures.count), .real(figures.latencySum),
        .real(figures.latencySquares))
    }
  }
}
