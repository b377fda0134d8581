import EdgecatStore

/// The live day figures: sums of the raw records stored in the inference log now, per UTC day
/// of record time, device, model and model version. Ingest adds to them in the transaction
/// that stores the records and retention subtracts what it drops in the transaction that
/// drops it, so they always match the raw table. `DayFiguresProjection` answers aggregate
/// queries from them, such as per-day confidence drift, without reading every raw row.
/// The rollups, by contrast, keep what retention drops.
enum DayFiguresSchema {
  static let table = "inference_day_figures"

  /// The column names, in table order: the four keys, then for each of confidence and
  /// latency_ms the count of non-NULL values, their sum and their sum of squares.
  static let keyColumns = ["day", "device_id", "model_name", "model_version"]
  static let figureColumns = [
    "record_count", "confidence_count", "confidence_sum", "confidence_squares", "latency_count",
    "latency_sum", "latency_squares",
  ]

  /// Adds the figures of every stored record to an empty table. `day` is `date(timestamp)` and
  /// `model_version` the same text as in the raw table.
  static let fillSQL = """
    INSERT INTO inference_day_figures
      SELECT date(timestamp), device_id, model_name, model_version, count(*),
        count(confidence), total(confidence), total(confidence * confidence),
        count(latency_ms), total(latency_ms), total(latency_ms * latency_ms)
      FROM inference_logs GROUP BY 1, 2, 3, 4;
    """

  /// Creates the table and fills it from the records already stored.
  static let migration = Migration(
    version: 5,
    sql: """
      CREATE TABLE inference_day_figures (
        day TEXT NOT NULL, device_id TEXT NOT NULL, model_name TEXT NOT NULL,
        model_version TEXT NOT NULL, record_count INTEGER NOT NULL,
        confidence_count INTEGER NOT NULL, confidence_sum REAL NOT NULL,
        confidence_squares REAL NOT NULL, latency_count INTEGER NOT NULL,
        latency_sum REAL NOT NULL, latency_squares REAL NOT NULL,
        PRIMARY KEY (day, device_id, model_name, model_version)) WITHOUT ROWID;
      """ + fillSQL)
}
