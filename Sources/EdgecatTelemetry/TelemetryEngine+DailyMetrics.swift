import EdgecatCore
import EdgecatProto
import EdgecatStore

extension TelemetryEngine {
  /// Returns per model version and UTC day the confidence mean, sample standard deviation and
  /// drift against the version's first day with records. Days are "YYYY-MM-DD" with both ends
  /// included. An empty end means today, and an empty start means 29 days before the end.
  /// Served from the daily rollups, or from the hourly ones for one device. A malformed day
  /// is INVALID_ARGUMENT.
  public func dailyMetrics(startDay: String, endDay: String, filter: MetricsFilter)
    async throws(ServiceError) -> [Edgecat_Telemetry_V1_DailyMetrics]
  {
    let today = Int64((clock() / 86_400).rounded(.down))
    let last = endDay.isEmpty ? TimestampText.day(today) : endDay
    var first = startDay
    if first.isEmpty {
      let end = try DatetimeText.parse(last + " 00:00:00", field: "end_day")
      first = TimestampText.day(max(0, Int64((end / 86_400).rounded(.down)) - 29))
    }
    let range = try DayRange(startDay: first, endDay: last)
    do {
      return try await store.read { db in
        let table =
          filter.deviceID == nil
          ? try Self.dailyRollups(range, filter: filter, db: db)
          : try Self.deviceDays(filter: filter, db: db)
        return table.metrics(in: range)
      }
    } catch {
      throw storageError(error, "computing daily metrics")
    }
  }

  private static func dailyRollups(
    _ range: DayRange, filter: MetricsFilter, db: Database
  ) throws -> DailyFiguresTable {
    var conditions = ["day >= ?", "day <= ?"]
    var values: [SQLValue] = [.text(range.first), .text(range.last)]
    filter.appendConditions(to: &conditions, &values, versionAsText: false)
    var table = DailyFiguresTable()
    let columns =
      "model_name, model_version, day, record_count, confidence_count,"
      + " confidence_sum, confidence_squares"
    var versions = Set<VersionKey>()
    for row in try db.query(
      "SELECT \(columns) FROM rollup_daily\(MetricsFilter.whereClause(conditions))", values)
    {
      let key = VersionKey(model: row[0].string ?? "", version: row[1].int64 ?? 0)
      versions.insert(key)
      table.add(model: key.model, version: key.version, day: row[2].string ?? "", figures(row))
    }
    for key in versions {
      let row = try db.queryOne(
        "SELECT \(columns) FROM rollup_daily WHERE model_name = ? AND model_version = ?"
          + " ORDER BY day LIMIT 1", .text(key.model), .integer(key.version))
      if let row {
        table.setBaseline(
          model: key.model, version: key.version, day: row[2].string ?? "", figures(row))
      }
    }
    return table
  }

  /// Sums one device's hourly rollups into days, over its whole history so that each version's
  /// first day is known.
  private static func deviceDays(filter: MetricsFilter, db: Database) throws -> DailyFiguresTable {
    var conditions: [String] = []
    var values: [SQLValue] = []
    filter.appendConditions(to: &conditions, &values, versionAsText: false)
    var table = DailyFiguresTable()
    let rows = try db.query(
      "SELECT model_name, model_version, hour / 24, sum(record_count), sum(confidence_count),"
        + " total(confidence_sum), total(confidence_squares)"
        + " FROM rollup_hourly\(MetricsFilter.whereClause(conditions))"
        + " GROUP BY model_name, model_version, hour / 24", values)
    for row in rows {
      table.add(
        model: row[0].string ?? "", version: row[1].int64 ?? 0,
        day: TimestampText.day(row[2].int64 ?? 0), figures(row))
    }
    return table
  }

  private static func figures(_ row: Row) -> DailyFigures {
    DailyFigures(
      count: row[3].int64 ?? 0, confidenceCount: row[4].int64 ?? 0,
      confidenceSum: row[5].double ?? 0, confidenceSquares: row[6].double ?? 0)
  }
}
