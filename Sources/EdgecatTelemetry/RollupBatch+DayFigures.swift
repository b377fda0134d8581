import EdgecatStore

/// A UTC day of record time, device, model and model version: one row of the day figures.
struct DayFiguresKey: Hashable, Sendable {
  var day: Int64
  var device: String
  var model: String
  var version: Int64
}

extension RollupBatch {
  /// Returns the SET terms that merge the batch's count, sum and M2 of one measure into the
  /// stored ones by Chan's formula. M2 grows by the batch's M2 and by the squared difference
  /// of the two means times n·m / (n + m). SQLite evaluates every term against the stored row.
  private static func mergeTerms(_ prefix: String) -> String {
    let count = prefix + "_count"
    let sum = prefix + "_sum"
    let m2 = prefix + "_m2"
    let delta = "(excluded.\(sum) / excluded.\(count) - \(sum) / \(count))"
    return "\(count) = \(count) + excluded.\(count), \(sum) = \(sum) + excluded.\(sum),"
      + " \(m2) = \(m2) + excluded.\(m2) + CASE WHEN \(count) > 0 AND excluded.\(count) > 0"
      + " THEN \(delta) * \(delta) * \(count) * excluded.\(count) / (\(count) + excluded.\(count))"
      + " ELSE 0 END"
  }

  static let addDayFiguresSQL =
    "INSERT INTO inference_day_figures (day, device_id, model_name, model_version,"
    + " record_count, confidence_count, confidence_sum, confidence_m2, latency_count,"
    + " latency_sum, latency_m2) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    + " ON CONFLICT (day, device_id, model_name, model_version) DO UPDATE SET"
    + " record_count = record_count + excluded.record_count, " + mergeTerms("confidence") + ", "
    + mergeTerms("latency")

  /// Adds the batch's hourly figures, merged by day, to the day figures. Every stored record
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
        .real(figures.confidenceMoments.m2), .integer(figures.count), .real(figures.latencySum),
        .real(figures.latencyMoments.m2))
    }
  }
}
