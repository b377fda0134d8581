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

  private func prepare(_ sql: String) throws -> Statement {
    let handle = try openHandle(for: "sqlite3_prepare_v3")
    let prepared = try prepareOne(sql, flags: UInt32(SQLITE_PREPARE_PERSISTENT))
    return Statement(handle: prepared, sql: sql, database: handle)
  }
}
