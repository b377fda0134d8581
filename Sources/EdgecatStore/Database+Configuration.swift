import CSQLite

extension Database {
  /// Turns off SQLite's double-quoted string literals in DML and DDL
  /// (`SQLITE_DBCONFIG_DQS_DML` and `SQLITE_DBCONFIG_DQS_DDL`), so that `"name"` is always an
  /// identifier and a misspelled one fails with "no such column" instead of becoming a string.
  public func disableDoubleQuotedStringLiterals() throws {
    let handle = try openHandle(for: "sqlite3_db_config")
    for option in [SQLITE_DBCONFIG_DQS_DML, SQLITE_DBCONFIG_DQS_DDL] {
      let result = csqlite_db_config_flag(handle, option, 0)
      guard result == SQLITE_OK else {
        throw StoreError.from(handle, resultCode: result, operation: "sqlite3_db_config")
      }
    }
  }
}
