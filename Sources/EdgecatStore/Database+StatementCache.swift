import CSQLite

extension Database {
  /// Returns the cached prepared statement for `sql`, preparing and caching it on first use.
  /// The cache is keyed by the exact SQL text, so callers should bind values, not splice them.
  func cachedStatement(_ sql: String) throws -> Statement {
    if let statement = statements[sql] { return statement }
    let statement = try prepare(sql)
    if statements.count >= statementCacheCapacity {
      for cached in statements.values { cached.finalize() }
      statements.removeAll(keepingCapacity: true)
    }
    statements[sql] = statement
    return statement
  }

  /// The number of prepared statements in this connection's cache.
  public var cachedStatementCount: Int { statements.count }

  /// Prepares exactly one statement; SQL text with a second statement after the first is
  /// rejected, because only the first would run.
  private func prepare(_ sql: String) throws -> Statement {
    let handle = try openHandle(for: "sqlite3_prepare_v3")
    let flags = UInt32(SQLITE_PREPARE_PERSISTENT)
    var prepared: OpaquePointer?
    var extra = false
    let result = sql.withCString { text -> Int32 in
      var tail: UnsafePointer<CChar>?
      let result = sqlite3_prepare_v3(handle, text, -1, flags, &prepared, &tail)
      guard result == SQLITE_OK, let tail, tail.pointee != 0 else { return result }
      // Whitespace and comments after the statement prepare to no statement at all.
      var next: OpaquePointer?
      let tailResult = sqlite3_prepare_v3(handle, tail, -1, 0, &next, nil)
      extra = tailResult != SQLITE_OK || next != nil
      sqlite3_finalize(next)
      return result
    }
    guard result == SQLITE_OK else {
      throw StoreError.from(handle, resultCode: result, operation: "sqlite3_prepare_v3", sql: sql)
    }
    guard let prepared else {
      throw StoreError(
        code: SQLITE_MISUSE, message: "SQL text contains no statement",
        operation: "sqlite3_prepare_v3", sql: sql)
    }
    guard !extra else {
      sqlite3_finalize(prepared)
      throw StoreError(
        code: SQLITE_MISUSE,
        message: "SQL text contains more than one statement; use executeScript for scripts",
        operation: "sqlite3_prepare_v3", sql: sql)
    }
    return Statement(handle: prepared, sql: sql, database: handle)
  }
}
