import CSQLite

/// A cached prepared statement with typed binds and column reads that allocate nothing for
/// numbers, for loops that run one statement thousands of times in a transaction. Use it on the
/// connection's thread only, and fetch it again after preparing other statements, because a
/// full statement cache finalizes every statement it contains. Parameter positions count from 1
/// and columns from 0, as in SQLite's C API.
public struct PreparedStatement {
  let statement: Statement

  init(_ statement: Statement) { self.statement = statement }

  /// Binds `value` with `sqlite3_bind_int64`.
  public func bind(_ value: Int64, at position: Int32) throws {
    try check(sqlite3_bind_int64(statement.handle, position, value), "sqlite3_bind_int64")
  }

  /// Binds `value` with `sqlite3_bind_double`.
  public func bind(_ value: Double, at position: Int32) throws {
    try check(sqlite3_bind_double(statement.handle, position, value), "sqlite3_bind_double")
  }

  /// Binds SQL NULL with `sqlite3_bind_null`.
  public func bindNull(at position: Int32) throws {
    try check(sqlite3_bind_null(statement.handle, position), "sqlite3_bind_null")
  }

  /// Binds `text` with `sqlite3_bind_text64`; SQLite copies it before this returns.
  public func bind(_ text: String, at position: Int32) throws {
    let fast = text.utf8.withContiguousStorageIfAvailable { buffer in
      bindText(buffer, at: position)
    }
    if let fast { return try check(fast, "sqlite3_bind_text64") }
    var copy = text
    let result = copy.withUTF8 { bindText($0, at: position) }
    try check(result, "sqlite3_bind_text64")
  }

  /// Binds UTF-8 bytes as text; SQLite copies them before this returns.
  public func bind(utf8 text: UnsafeBufferPointer<UInt8>, at position: Int32) throws {
    try check(bindText(text, at: position), "sqlite3_bind_text64")
  }

  /// Binds UTF-8 bytes as text without copying them (`SQLITE_STATIC`). The caller keeps the
  /// bytes valid and unchanged until the parameter is bound again or the statement is reset.
  public func bind(borrowedUTF8 text: UnsafeBufferPointer<UInt8>, at position: Int32) throws {
    let empty: StaticString = ""
    let pointer = UnsafeRawPointer(text.baseAddress) ?? UnsafeRawPointer(empty.utf8Start)
    let result = sqlite3_bind_text64(
      statement.handle, position, pointer.assumingMemoryBound(to: CChar.self),
      UInt64(text.count), nil, UInt8(SQLITE_UTF8))
    try check(result, "sqlite3_bind_text64")
  }

  /// Resets the statement and keeps its bindings, for loops that bind every parameter again
  /// before each step. Call `reset` after the loop, so no borrowed bytes stay bound.
  public func resetKeepingBindings() { sqlite3_reset(statement.handle) }

  /// Binds `bytes` as a blob with `sqlite3_bind_blob64`; SQLite copies them.
  public func bind(_ bytes: [UInt8], at position: Int32) throws {
    let result = bytes.withUnsafeBytes { buffer in
      // A NULL pointer would bind SQL NULL, so an empty blob is a zero-length zeroblob.
      guard let base = buffer.baseAddress, buffer.count > 0 else {
        return sqlite3_bind_zeroblob(statement.handle, position, 0)
      }
      return sqlite3_bind_blob64(
        statement.handle, position, base, UInt64(buffer.count), csqlite_transient())
    }
    try check(result, "sqlite3_bind_blob64")
  }

  /// Advances to the next row; returns true for a row and false when the statement is done.
  public func step() throws -> Bool { try statement.step() }

  /// Resets the statement and clears its bindings, ready for the next run.
  public func reset() { statement.reset() }

  public func isNull(at column: Int32) -> Bool {
    sqlite3_column_type(statement.handle, column) == SQLITE_NULL
  }

  public func int64(at column: Int32) -> Int64 {
    sqlite3_column_int64(statement.handle, column)
  }

  public func double(at column: Int32) -> Double {
    sqlite3_column_double(statement.handle, column)
  }

  /// Reads the column as text. NULL reads as the empty string.
  public func string(at column: Int32) -> String {
    guard let pointer = sqlite3_column_text(statement.handle, column) else { return "" }
    let count = Int(sqlite3_column_bytes(statement.handle, column))
    return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
  }

  /// Calls `body` with the column's UTF-8 bytes, valid only during the call.
  public func withUTF8<T>(at column: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
    let pointer = sqlite3_column_text(statement.handle, column)
    let count = Int(sqlite3_column_bytes(statement.handle, column))
    return body(UnsafeBufferPointer(start: pointer, count: pointer == nil ? 0 : count))
  }

  /// Reads the column as a blob. NULL reads as no bytes.
  public func bytes(at column: Int32) -> [UInt8] {
    guard let pointer = sqlite3_column_blob(statement.handle, column) else { return [] }
    let count = Int(sqlite3_column_bytes(statement.handle, column))
    return Array(UnsafeRawBufferPointer(start: pointer, count: count))
  }

  private func bindText(_ text: UnsafeBufferPointer<UInt8>, at position: Int32) -> Int32 {
    // A NULL pointer would bind SQL NULL, so empty text points at a static empty C string.
    let empty: StaticString = ""
    let pointer = UnsafeRawPointer(text.baseAddress) ?? UnsafeRawPointer(empty.utf8Start)
    return sqlite3_bind_text64(
      statement.handle, position, pointer.assumingMemoryBound(to: CChar.self),
      UInt64(text.count), csqlite_transient(), UInt8(SQLITE_UTF8))
  }

  private func check(_ result: Int32, _ operation: String) throws {
    guard result != SQLITE_OK else { return }
    guard let database = statement.handle.flatMap(sqlite3_db_handle) else {
      throw StoreError(
        code: SQLITE_MISUSE, message: "statement was finalized", operation: operation,
        sql: statement.sql)
    }
    throw StoreError.from(database, resultCode: result, operation: operation, sql: statement.sql)
  }
}

extension Database {
  /// Returns the cached prepared statement for `sql`, preparing it on first use. Bind values
  /// rather than splicing them, because the cache is keyed by the exact text.
  public func prepared(_ sql: String) throws -> PreparedStatement {
    PreparedStatement(try cachedStatement(sql))
  }

  /// Returns the cached prepared statements for `sqls`, all usable together: when preparing one
  /// emptied the full cache, the others are fetched again. At most the cache's capacity.
  public func prepared(_ sqls: [String]) throws -> [PreparedStatement] {
    precondition(sqls.count <= statementCacheCapacity, "more statements than the cache keeps")
    var statements = try sqls.map(cachedStatement)
    if statements.contains(where: { $0.handle == nil }) {
      // The cache was emptied once at most, so this pass fits without emptying it again.
      statements = try sqls.map(cachedStatement)
    }
    return statements.map(PreparedStatement.init)
  }
}
