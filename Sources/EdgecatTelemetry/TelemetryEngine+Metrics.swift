import EdgecatCore
import EdgecatProto
import EdgecatStore

extension TelemetryEngine {
  /// Returns per device and model version the metrics of the records stamped in `[start, end)`
  /// (seconds since the Unix epoch), ordered by device, model and version. The counts are exact
  /// because whole hours come from the hourly rollups and the partial hours at either end from
  /// the raw rows. Raw rows that retention dropped are missing from those partial hours.
  /// A bad window is INVALID_ARGUMENT.
  public func metrics(start: Double, end: Double, filter: MetricsFilter)
    async throws(ServiceError) -> [Edgecat_Telemetry_V1_DeviceMetrics]
  {
    let window = try MetricsWindow(start: start, end: end)
    do {
      return try await store.read { db in
        var figures = WindowFigures()
        guard let hours = window.wholeHours else {
          try figures.addRows(
            db, source: "inference_logs", prefix: "",
            fromMilliseconds: window.startMilliseconds, toMilliseconds: window.endMilliseconds,
            filter: filter)
          return figures.metrics()
        }
        let hour = MetricsWindow.millisecondsPerHour
        try figures.addRows(
          db, source: "inference_logs", prefix: "", fromMilliseconds: window.startMilliseconds,
          toMilliseconds: hours.lowerBound * hour, filter: filter)
        try figures.addRows(
          db, source: "inference_logs", prefix: "", fromMilliseconds: hours.upperBound * hour,
          toMilliseconds: window.endMilliseconds, filter: filter)
        try Self.addHourlyRollups(hours, filter: filter, db: db, to: &figures)
        return figures.metrics()
      }
    } catch {
      throw storageError(error, "computing metrics")
    }
  }

  private static func addHourlyRollups(
    _ hours: Range<Int64>, filter: MetricsFilter, db: Database, to figures: inout WindowFigures
  ) throws {
    var conditions = ["hour >= ?", "hour < ?"]
    var values: [SQLValue] = [.integer(hours.lowerBound), .integer(hours.upperBound)]
    filter.appendConditions(to: &conditions, &values, versionAsText: false)
    let rows = try db.query(
      "SELECT device_id, model_name, model_version, record_count, confidence_count,"
        + " confidence_sum, confidence_squares, latency_sum, labelled_count, correct_count,"
        + " latency_histogram FROM rollup_hourly\(MetricsFilter.whereClause(conditions))",
      values)
    for row in rows {
      guard let histogram = LatencyHistogram(encoded: row[10].bytes ?? []) else {
        throw RollupCorruption(
          message: "latency histogram of device \(row[0]), model \(row[1]) version \(row[2])"
            + " cannot be decoded")
      }
      let rollup = RollupFigures(
        count: row[3].int64 ?? 0, confidenceCount: row[4].int64 ?? 0,
        confidenceSum: row[5].double ?? 0, confidenceSquares: row[6].double ?? 0,
        latencySum: row[7].double ?? 0, labelledCount: row[8].int64 ?? 0,
        correctCount: row[9].int64 ?? 0, histogram: histogram)
      let key = WriterKey(
        device: row[0].string ?? "", model: row[1].string ?? "", version: row[2].int64 ?? 0)
      figures.merge(key, rollup)
    }
  }
}
