import EdgecatStore

/// The live day figures, one row per UTC day of record time, device, model and model version. Each
/// row has the record count and, for confidence and latency_ms, the count of non-NULL values, their
/// sum and their sum of squared deviations from their mean (M2, see `Moments`). Ingest adds to them
/// in the transaction that stores the records. Retention marks the days whose records it drops as
/// stale in `inference_day_figures_stale`, in the same transaction, and then rebuilds those days
/// from the raw rows (`DayFiguresRebuild`). Queries read the figures only while no day is stale, so
/// they always match the raw table. `DayFiguresProjection` computes aggregate queries from them,
/// such as per-day confidence drift, without reading every raw row. The rollups, by contrast, keep
/// what retention drops.
enum DayFiguresSchema {
  static let table = "inference_day_figures"
  static let staleTable = "inference_day_figures_stale"

  /// The column names, in table order: the four keys, then the figures.
  static let keyColumns = ["day", "device_id", "model_name", "model_version"]
  static let figureColumns = [
    "record_count", "confidence_count", "confidence_sum", "confidence_m2", "latency_count",
    "latency_sum", "latency_m2",
  ]

  /// Version 5 kept sums of squares, which lose the variance of values whose spread is small
  /// next to their mean; version 7 replaces them.
  static let firstMigration = Migration(
    version: 5,
    sql: """
      CREATE TABLE inference_day_figures (
        day TEXT NOT NULL, device_id TEXT NOT NULL, model_name TEXT NOT NULL,
        model_version TEXT NOT NULL, record_count INTEGER NOT NULL,
        confidence_count INTEGER NOT NULL, confidence_sum REAL NOT NULL,
        confidence_squares REAL NOT NULL, latency_count INTEGER NOT NULL,
        latency_sum REAL NOT NULL, latency_squares REAL NOT NULL,
        PRIMARY KEY (day, device_id, model_name, model_version)) WITHOUT ROWID;
      INSERT INTO inference_day_figures
        SELECT date(timestamp), device_id, model_name, model_version, count(*),
          count(confidence), total(confidence), total(confidence * confidence),
          count(latency_ms), total(latency_ms), total(latency_ms * latency_ms)
        FROM inference_logs GROUP BY 1, 2, 3, 4;
      """)

  /// Fills the day figures of the raw rows that `condition` selects, in two passes: window
  /// averages first, then the squared deviations from them.
  static func fillSQL(where condition: String = "1") -> String {
    """
    INSERT INTO inference_day_figures
      SELECT day, device_id, model_name, model_version, count(*), count(confidence),
        total(confidence), total((confidence - confidence_mean) * (confidence - confidence_mean)),
        count(latency_ms), total(latency_ms),
        total((latency_ms - latency_mean) * (latency_ms - latency_mean))
      FROM (
        SELECT date(timestamp) AS day, device_id, model_name, model_version, confidence,
          latency_ms, avg(confidence) OVER figures AS confidence_mean,
          avg(latency_ms) OVER figures AS latency_mean
        FROM inference_logs WHERE \(condition)
        WINDOW figures AS (PARTITION BY date(timestamp), device_id, model_name, model_version))
      GROUP BY 1, 2, 3, 4;
    """
  }

  /// Rebuilds the table with M2 in place of the sums of squares, and adds the stale days.
  static let migration = Migration(
    version: 7,
    sql: """
      DROP TABLE inference_day_figures;
      CREATE TABLE inference_day_figures (
        day TEXT NOT NULL, device_id TEXT NOT NULL, model_name TEXT NOT NULL,
        model_version TEXT NOT NULL, record_count INTEGER NOT NULL,
        confidence_count INTEGER NOT NULL, confidence_sum REAL NOT NULL,
        confidence_m2 REAL NOT NULL, latency_count INTEGER NOT NULL,
        latency_sum REAL NOT NULL, latency_m2 REAL NOT NULL,
        PRIMARY KEY (day, device_id, model_name, model_version)) WITHOUT ROWID;
      CREATE TABLE inference_day_figures_stale (day TEXT PRIMARY KEY) WITHOUT ROWID;
      """ + fillSQL())
}
