import CSQLite

extension Database {
  /// Prepares exactly one statement with `sqlite3_prepare_v3` and returns its handle, which the
  /// caller owns and must finalize. SQL text with a second statement after the first is
  /// rejected, because only the first would run; whitespace and comments after it are not.
  func prepareOne(_ sql: String, flags: UInt32) throws -> OpaquePointer {
    let handle = try openHandle(for: "sqlite3_prepare_v3")
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
      let error = StoreError.from(
        handle, resultCode: result, operation: "sqlite3_prepare_v3", sql: sql)
      let offset = Int(sqlite3_error_offset(handle))
      throw StoreError(
        code: error.code, extendedCode: error.extendedCode, message: error.message,
        operation: error.operation, sql: sql, byteOffset: offset >= 0 ? offset : nil)
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
    return prepared
  }
}
