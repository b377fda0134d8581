import EdgecatStore

/// Statistics for SQLite's query planner, which otherwise reads the whole inference log in
/// identity order to save a sort. Without statistics, a query such as
/// `WHERE timestamp > ... GROUP BY device_id, model_version` walks every row through
/// `inference_logs_by_identity`, whose order matches the grouping, rather than the range of
/// `inference_logs_by_timestamp` that the condition selects: 150 ms instead of 20 ms over a
/// million records. The word `unordered` in the index's `sqlite_stat1` row keeps the planner
/// from using that index for ORDER BY and GROUP BY; lookups by device still use it. The counts
/// before it are those of a typical fleet's month: 2,000 records per device and epoch.
enum PlannerStatistics {
  static let migration = Migration(
    version: 4,
    sql: """
      ANALYZE sqlite_schema;
      DELETE FROM sqlite_stat1 WHERE idx = 'inference_logs_by_identity';
      INSERT INTO sqlite_stat1 (tbl, idx, stat)
        VALUES ('inference_logs', 'inference_logs_by_identity', '1000000 2000 2000 1 unordered');
      """)
}
