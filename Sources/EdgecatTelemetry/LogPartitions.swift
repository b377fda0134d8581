import EdgecatStore

/// The raw log's partition map: for each UTC day of `received_at`, the lowest and highest
/// rowid of the records received that day. Records are inserted in receive order, so a day's
/// records lie in its rowid range and retention deletes them by range, with no index on
/// `received_at` that every insert would have to update.
enum LogPartitions {
  /// Creates the map and fills it from the stored records before it drops the index they were
  /// found by.
  static let migration = Migration(
    version: 6,
    sql: """
      CREATE TABLE inference_log_partitions (
        received_day TEXT PRIMARY KEY, first_rowid INTEGER NOT NULL,
        last_rowid INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO inference_log_partitions (received_day, first_rowid, last_rowid)
        SELECT substr(received_at, 1, 10), min(rowid), max(rowid) FROM inference_logs
        GROUP BY 1;
      DROP INDEX inference_logs_by_received;
      """)

  /// Widens the range of `day` ("YYYY-MM-DD") to cover the rowids `first` to `last`.
  static func record(day: String, first: Int64, last: Int64, into db: Database) throws {
    try db.execute(
      "INSERT INTO inference_log_partitions (received_day, first_rowid, last_rowid)"
        + " VALUES (?, ?, ?) ON CONFLICT (received_day) DO UPDATE SET"
        + " first_rowid = min(first_rowid, excluded.first_rowid),"
        + " last_rowid = max(last_rowid, excluded.last_rowid)",
      .text(day), .integer(first), .integer(last))
  }

  /// Returns the days before `day` that have a partition, oldest first.
  static func days(before day: String, in db: Database) throws -> [String] {
    try db.query(
      "SELECT received_day FROM inference_log_partitions WHERE received_day < ? ORDER BY 1",
      .text(day)
    ).compactMap { $0[0].string }
  }

  /// Deletes the records received before `cutoff` (datetime text) in at most `span` rowids of
  /// the oldest partition before `cutoff`'s day, subtracting them from the day figures, and
  /// shrinks or removes that partition.
  /// Returns the records deleted, or nil when no such partition is left. The condition on
  /// `received_at` keeps a record that a backward clock step placed in an older day's range.
  static func deleteChunk(before cutoff: String, span: Int64, in db: Database) throws -> Int? {
    let day = String(cutoff.prefix(10))
    guard
      let row = try db.queryOne(
        "SELECT received_day, first_rowid, last_rowid FROM inference_log_partitions"
          + " WHERE received_day < ? ORDER BY first_rowid LIMIT 1", .text(day)),
      let partition = row[0].string, let first = row[1].int64, let last = row[2].int64
    else { return nil }
    let end = min(last, first + span - 1)
    let deleted = try RetentionChunk.drop(rowids: first...end, receivedBefore: cutoff, in: db)
    if end == last {
      try db.execute(
        "DELETE FROM inference_log_partitions WHERE received_day = ?", .text(partition))
    } else {
      try db.execute(
        "UPDATE inference_log_partitions SET first_rowid = ? WHERE received_day = ?",
        .integer(end + 1), .text(partition))
    }
    return deleted
  }
}
