import CSQLite
import EdgecatCore
import EdgecatTelemetry

/// Raw SQLite inserts into the inference log's table and indexes: one prepared statement, one
/// transaction per batch, WAL with synchronous=FULL and the engine's page cache size. Values
/// are made before the clock starts, so this is SQLite's own cost, the ceiling for the engine.
/// It calls the C API directly, because measuring without the store's wrapper is its purpose.
struct RawSQLiteBaseline {
  let path: String
  let records: Int
  let batchSize: Int

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
    let sql =
      "INSERT INTO inference_logs (device_id, timestamp, model_version, prediction, confidence,"
      + " latency_ms, input_hash, label, region, model_name, epoch, seq, received_at,"
      + " future_clock) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
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
        text(statement, 1, "dev-0")
        text(statement, 2, timestamps[index])
        text(statement, 3, "1")
        sqlite3_bind_double(statement, 4, Double(index % 2))
        sqlite3_bind_double(statement, 5, 0.75)
        sqlite3_bind_double(statement, 6, 12.5)
        text(statement, 7, hash)
        sqlite3_bind_null(statement, 8)
        sqlite3_bind_null(statement, 9)
        text(statement, 10, "main.ml.defects")
        text(statement, 11, "epoch-0")
        sqlite3_bind_int64(statement, 12, Int64(index))
        text(statement, 13, receivedAt)
        sqlite3_bind_int64(statement, 14, 0)
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
