import EdgecatStore

/// The rollups that metrics read for callers without a row filter or mask, updated in the
/// transaction that stores the raw records, and kept when retention drops those records.
enum RollupSchema {
  /// `rollup_hourly` has one row per device, model, model version and hour of record time
  /// (hours since the Unix epoch): record count, confidence count, sum and sum of squares,
  /// latency sum, labelled and correct counts, and a `LatencyHistogram` blob.
  /// `rollup_daily` has one row per model version and UTC day ("YYYY-MM-DD") of record time.
  /// `device_activity` keeps the received time of each device's last record.
  static let migration = Migration(
    version: 2,
    sql: """
      CREATE TABLE rollup_hourly (
        hour INTEGER NOT NULL, device_id TEXT NOT NULL, model_name TEXT NOT NULL,
        model_version INTEGER NOT NULL, record_count INTEGER NOT NULL,
        confidence_count INTEGER NOT NULL, confidence_sum REAL NOT NULL,
        confidence_squares REAL NOT NULL, latency_sum REAL NOT NULL,
        labelled_count INTEGER NOT NULL, correct_count INTEGER NOT NULL,
        latency_histogram BLOB NOT NULL,
        PRIMARY KEY (hour, device_id, model_name, model_version)) WITHOUT ROWID;
      CREATE INDEX rollup_hourly_by_device ON rollup_hourly (device_id, hour);
      CREATE TABLE rollup_daily (
        model_name TEXT NOT NULL, model_version INTEGER NOT NULL, day TEXT NOT NULL,
        record_count INTEGER NOT NULL, confidence_count INTEGER NOT NULL,
        confidence_sum REAL NOT NULL, confidence_squares REAL NOT NULL,
        PRIMARY KEY (model_name, model_version, day)) WITHOUT ROWID;
      CREATE TABLE device_activity (
        device_id TEXT PRIMARY KEY, last_received_at TEXT NOT NULL) WITHOUT ROWID;
      """)
}
