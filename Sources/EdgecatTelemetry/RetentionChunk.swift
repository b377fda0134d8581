import EdgecatStore

/// One step of retention inside a write transaction: it drops the raw records of a rowid range
/// received before a cutoff. It also marks the days of their timestamps stale, so that queries
/// stop reading those days' figures until `DayFiguresRebuild` has rebuilt them.
enum RetentionChunk {
  /// Drops the records with rowids in `rowids` that were received before `cutoff` (datetime
  /// text) and returns how many it dropped.
  static func drop(rowids: ClosedRange<Int64>, receivedBefore cutoff: String, in db: Database)
    throws -> Int
  {
    let range: [SQLValue] = [
      .integer(rowids.lowerBound), .integer(rowids.upperBound), .text(cutoff),
    ]
    try db.execute(
      "INSERT OR IGNORE INTO inference_day_figures_stale (day) SELECT DISTINCT date(timestamp)"
        + " FROM inference_logs WHERE rowid BETWEEN ? AND ? AND received_at < ?", range)
    try db.execute(
      "DELETE FROM inference_logs WHERE rowid BETWEEN ? AND ? AND received_at < ?", range)
    return db.changes
  }
}

/// Rebuilds the day figures of stale days from the raw rows.
enum DayFiguresRebuild {
  /// Replaces the figures of `day` ("YYYY-MM-DD") with those of its raw rows, found through
  /// the timestamp index, and clears its stale mark.
  static func rebuild(day: String, in db: Database) throws {
    // Every stored timestamp of the day starts with its ten characters and sorts below them
    // followed by '~'.
    try db.execute("DELETE FROM inference_day_figures WHERE day = ?", .text(day))
    try db.execute(
      DayFiguresSchema.fillSQL(where: "timestamp >= ?1 AND timestamp < ?2"), .text(day),
      .text(day + "~"))
    try db.execute("DELETE FROM inference_day_figures_stale WHERE day = ?", .text(day))
  }
}
