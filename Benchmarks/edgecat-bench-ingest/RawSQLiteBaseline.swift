import CSQLite
import EdgecatCore
import EdgecatTelemetry

/// Raw SQLite inserts into the inference log's table and indexes: one prepared statement of
/// `rowsPerStatement` rows, one transaction per batch, WAL with synchronous=FULL and the
/// engine's page cache size. Values are made before the clock starts, so this is SQLite's own
/// cost, the ceiling for the engine. It calls the C API directly, because measuring without
/// the store's wrapper is its purpose.
struct RawSQLiteBaseline {
  let path: String
  let records: Int
  let batchSize: Int
  /// Rows per INSERT statement; `batchSize` must be a multiple of it.
  var rowsPerStatement = 1

  func run() throws -> Measurement {
    var db: OpaquePointer?
    guard sqlite3_open(path, &db) == SQLITE_OK else { fatalError("sqlite3_open failed") }
    defer { sqlite3_close(db) }
    exec(db, "PRAGMA journal_mode = WAL")
    exec(db, "PRAGMA synchronous = FULL")
    // The engine's writer page cache, so that both sides keep the same pages in memory.
    exec(db, "PRAGMA cache_size = -\(TelemetryEngineSettings().writerCacheKibibytes)")
    // Every migration, so that the table has the engine's indexes.
    for migration in TelemetrySchema.migrations { exec(db, migration.sql) }
    var statement: OpaquePointer?
    precondition(batchSize % rowsPerStatement == 0, "batchSize must be a multiple of rows")
    let row = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    let sql =
      "INSERT INTO inference_logs (device_id, timestamp, model_version, prediction, confidence,"
      + " latency_ms, input_hash, label, region, model_name, epoch, seq, received_at,"
      + " future_clock) VALUES "
      + Array(repeating: row, count: rowsPerStatement).joined(separator: ", ")
    guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else {
      fatalError("prepare failed: \(String(cString: sqlite3_errmsg(db)))")
    }
    defer { sqlite3_finalize(statement) }

    let start = wallClockSeconds() - 86_400
    let timestamps = (0..<records).map { DatetimeText.format(start + Double($0) * 0.05) }
    let receivedAt = DatetimeText.format(wallClockSeconds())
    let hash = String(repeating: "a1", count: 32)
    let cpuBefore = Clock.cpu()
    let before = Clock.now()
    for batchStart in stride(from: 0, to: records, by: batchSize) {
      exec(db, "BEGIN")
      for index in batchStart..<min(records, batchStart + batchSize) {
        let column = Int32(index % rowsPerStatement) * 14
        text(statement, column + 1, "dev-0")
        text(statement, column + 2, timestamps[index])
        text(statement, column + 3, "1")
        sqlite3_bind_double(statement, column + 4, Double(index % 2))
        sqlite3_bind_double(statement, column + 5, 0.75)
        sqlite3_bind_double(statement, column + 6, 12.5)
        text(statement, column + 7, hash)
        sqlite3_bind_null(statement, column + 8)
        sqlite3_bind_null(statement, column + 9)
        text(statement, column + 10, "main.ml.defects")
        text(statement, column + 11, "epoch-0")
        sqlite3_bind_int64(statement, column + 12, Int64(index))
        text(statement, column + 13, receivedAt)
        sqlite3_bind_int64(statement, column + 14, 0)
        guard (index + 1) % rowsPerStatement == 0 else { continue }
        guard sqlite3_step(statement) == SQLITE_DONE else {
          fatalError("insert failed: \(String(cString: sqlite3_errmsg(db)))")
        }
        sqlite3_reset(statement)
      }
      exec(db, "COMMIT")
    }
    return Measurement(
      records: records, seconds: Clock.now() - before, cpuSeconds: Clock.cpu() - cpuBefore)
  }

  private func text(_ statement: OpaquePointer?, _ position: Int32, _ value: String) {
    var value = value
    value.withUTF8 { buffer in
      _ = sqlite3_bind_text(
        statement, position,
        UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(
          to: CChar.self), Int32(buffer.count), csqlite_transient())
    }
  }

  private func exec(_ db: OpaquePointer?, _ sql: String) {
    var message: UnsafeMutablePointer<CChar>?
    guard sqlite3_exec(db, sql, nil, nil, &message) == SQLITE_OK else {
      fatalError("\(sql) failed: \(message.map { String(cString: $0) } ?? "")")
    }
  }
}
