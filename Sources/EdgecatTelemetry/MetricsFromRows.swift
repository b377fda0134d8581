import EdgecatCore
import EdgecatProto
import EdgecatStore

/// Metrics computed from inference log rows rather than rollups, for readers with a row filter
/// or column mask. `source` goes after FROM: the name of a table, view or common table
/// expression with the columns of `inference_logs`, or a parenthesized SELECT. A name defined
/// by a WITH clause needs that clause in `commonTableExpressions`, which is placed before the
/// SELECT and must take no parameters. The figures are the ones `TelemetryEngine.metrics` and
/// `dailyMetrics` return for the same rows.
public enum MetricsFromRows {
  /// Returns per device and model version the metrics of the records stamped in
  /// `[start, end)` (seconds since the Unix epoch), ordered by device, model and version.
  public static func window(
    _ database: Database, source: String, start: Double, end: Double, filter: MetricsFilter,
    commonTableExpressions: String = ""
  ) throws(ServiceError) -> [Edgecat_Telemetry_V1_DeviceMetrics] {
    let window = try MetricsWindow(start: start, end: end)
    var figures = WindowFigures()
    do {
      try figures.addRows(
        database, source: source, prefix: commonTableExpressions,
        fromMilliseconds: window.startMilliseconds, toMilliseconds: window.endMilliseconds,
        filter: filter)
    } catch {
      throw .storage(error, operation: "computing metrics from rows", database: "telemetry")
    }
    return figures.metrics()
  }

  /// Returns per model version and UTC day ("YYYY-MM-DD", both ends included) the confidence
  /// mean, sample standard deviation and drift against the version's first day in `source`.
  public static func daily(
    _ database: Database, source: String, startDay: String, endDay: String,
    filter: MetricsFilter, commonTableExpressions: String = ""
  ) throws(ServiceError) -> [Edgecat_Telemetry_V1_DailyMetrics] {
    let range = try DayRange(startDay: startDay, endDay: endDay)
    var conditions: [String] = []
    var values: [SQLValue] = []
    filter.appendConditions(to: &conditions, &values, versionAsText: true)
    let sql =
      commonTableExpressions
      + " SELECT model_name, model_version, substr(timestamp, 1, 10) AS day, count(*),"
      + " count(confidence), total(confidence), total(confidence * confidence)"
      + " FROM \(source)\(MetricsFilter.whereClause(conditions))"
      + " GROUP BY model_name, model_version, day"
    var days = DailyFiguresTable()
    do {
      for row in try database.query(sql, values) {
        let figures = DailyFigures(
          count: row[3].int64 ?? 0, confidenceCount: row[4].int64 ?? 0,
          confidenceSum: row[5].double ?? 0, confidenceSquares: row[6].double ?? 0)
        days.add(
          model: row[0].string ?? "", version: versionNumber(row[1]), day: row[2].string ?? "",
          figures)
      }
    } catch {
      throw .storage(error, operation: "computing daily metrics from rows", database: "telemetry")
    }
    return days.metrics(in: range)
  }

  /// Reads a model version stored as text, as `inference_logs` keeps it; 0 when it is not a
  /// number, such as a masked value.
  static func versionNumber(_ value: SQLValue) -> Int64 {
    switch value {
    case .integer(let number): number
    case .real(let number): Int64(exactly: number) ?? 0
    case .text(let text): Int64(text) ?? 0
    default: 0
    }
  }
}
