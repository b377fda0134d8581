import EdgecatStore

/// An index of the inference log by record day and confidence, for queries that group by
/// `date(timestamp)`, such as a per-day drift query. SQLite has no hash aggregation, so without
/// it such a query sorts every record by day. With it, the query reads the index in day order,
/// and a query that orders by day and takes the last days stops after them: over a million
/// records, 0.10 s instead of 0.52 s with SQLite 3.40. It costs one more index entry per
/// stored record.
enum DailyQueryIndex {
  static let migration = Migration(
    version: 5,
    sql: """
      CREATE INDEX inference_logs_by_day ON inference_logs (date(timestamp), confidence);
      """)
}
