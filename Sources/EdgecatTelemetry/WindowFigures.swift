import EdgecatProto
import EdgecatStore

/// A device, model and model version: one row of window metrics.
struct WriterKey: Hashable, Comparable {
  var device: String
  var model: String
  var version: Int64

  static func < (left: WriterKey, right: WriterKey) -> Bool {
    (left.device, left.model, left.version) < (right.device, right.model, right.version)
  }
}

/// Figures of a metrics window per device and model version, summed from raw rows and hourly
/// rollups.
struct WindowFigures {
  private(set) var figures: [WriterKey: RollupFigures] = [:]

  mutating func merge(_ key: WriterKey, _ other: RollupFigures) {
    figures[key, default: RollupFigures()].merge(other)
  }

  /// Adds the rows of `source` stamped in `[fromMilliseconds, toMilliseconds)` that match
  /// `filter`.
  mutating func addRows(
    _ db: Database, source: String, prefix: String, fromMilliseconds: Int64,
    toMilliseconds: Int64, filter: MetricsFilter
  ) throws {
    guard fromMilliseconds < toMilliseconds else { return }
    var conditions = ["timestamp >= ?", "timestamp < ?"]
    var values: [SQLValue] = [
      .text(TimestampText.string(milliseconds: fromMilliseconds)),
      .text(TimestampText.string(milliseconds: toMilliseconds)),
    ]
    filter.appendConditions(to: &conditions, &values, versionAsText: true)
    let sql =
      prefix + " SELECT device_id, model_name, model_version, confidence, latency_ms,"
      + " prediction, label FROM \(source)\(MetricsFilter.whereClause(conditions))"
    var current: (key: WriterKey, figures: RollupFigures)?
    for row in try db.query(sql, values) {
      let key = WriterKey(
        device: row[0].string ?? "", model: row[1].string ?? "",
        version: MetricsFromRows.versionNumber(row[2]))
      if current?.key != key {
        if let current { merge(current.key, current.figures) }
        current = (key, RollupFigures())
      }
      current!.figures.add(
        confidence: row[3].double, latency: row[4].double ?? 0, prediction: row[5].double ?? 0,
        label: row[6].double)
    }
    if let current { merge(current.key, current.figures) }
  }

  /// The metrics per device and model version, ordered by device, model and version.
  func metrics() -> [Edgecat_Telemetry_V1_DeviceMetrics] {
    figures.keys.sorted().map { key in
      let figures = figures[key]!
      var metrics = Edgecat_Telemetry_V1_DeviceMetrics()
      metrics.deviceID = key.device
      metrics.modelFullName = key.model
      metrics.modelVersion = key.version
      metrics.count = figures.count
      if figures.confidenceCount > 0 {
        metrics.meanConfidence = figures.confidenceSum / Double(figures.confidenceCount)
      }
      if figures.count > 0 { metrics.meanLatencyMs = figures.latencySum / Double(figures.count) }
      metrics.p99LatencyMs = figures.histogram.quantile(0.99)
      metrics.labelledCount = figures.labelledCount
      if figures.labelledCount > 0 {
        metrics.accuracy = Double(figures.correctCount) / Double(figures.labelledCount)
      }
      return metrics
    }
  }
}
