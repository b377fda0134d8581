import CSQLite

extension Database {
  /// Prepares `sql` with `sqlite3_prepare_v3` and finalizes it without stepping it, so nothing
  /// runs, and returns what SQLite reports about it. An installed authorizer is asked about every
  /// action, as for any statement SQLite prepares.
  ///
  /// Throws a `StoreError` with SQLite's message, such as "no such column: x", and the
  /// `byteOffset` of the failing token when SQLite reports one. It also throws when the
  /// authorizer denies an action ("not authorized"), when `sql` contains no statement, and
  /// when a second statement follows the first. The statement does not enter the cache.
  @discardableResult
  public func check(_ sql: String) throws -> StatementDescription {
    let prepared = try prepareOne(sql, flags: 0)
    defer { sqlite3_finalize(prepared) }
    var columnNames: [String] = []
    for column in 0..<sqlite3_column_count(prepared) {
      columnNames.append(sqlite3_column_name(prepared, column).map { String(cString: $0) } ?? "")
    }
    return StatementDescription(
      parameterCount: Int(sqlite3_bind_parameter_count(prepared)), columnNames: columnNames,
      isReadOnly: sqlite3_stmt_readonly(prepared) != 0)
  }

}
