import CSQLite

/// A failed SQLite call: the result codes, SQLite's message and the operation that failed.
public struct StoreError: Error, Sendable, CustomStringConvertible {
  /// The primary result code, such as `SQLITE_CONSTRAINT` (19).
  public let code: Int32
  /// The extended result code, such as `SQLITE_CONSTRAINT_UNIQUE` (2067).
  public let extendedCode: Int32
  /// SQLite's error message, or this module's for failures that SQLite did not report.
  public let message: String
  /// The C function or store operation that failed, such as `sqlite3_step`.
  public let operation: String
  /// The first line of the SQL text being run, when there was one.
  public let sql: String?
  /// The version of the migration that failed, when the failure happened in one.
  public let migration: Int?
  /// The UTF-8 byte offset in the SQL text of the token that failed to prepare, as
  /// `sqlite3_error_offset` reports it; nil when SQLite reports none.
  public let byteOffset: Int?

  public init(
    code: Int32, extendedCode: Int32? = nil, message: String, operation: String,
    sql: String? = nil, migration: Int? = nil, byteOffset: Int? = nil
  ) {
    self.code = code & 0xff
    self.extendedCode = extendedCode ?? code
    self.message = message
    self.operation = operation
    self.sql = sql.map(StoreError.firstLine)
    self.migration = migration
    self.byteOffset = byteOffset
  }

  /// True for any `SQLITE_CONSTRAINT` failure: unique, primary key, foreign key, check, not null.
  public var isConstraintViolation: Bool { code == SQLITE_CONSTRAINT }

  /// True when the database stayed locked by another connection past the busy timeout.
  public var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }

  /// SQLite's name for the extended code, such as "constraint failed".
  public var codeDescription: String { String(cString: sqlite3_errstr(extendedCode)) }

  public var description: String {
    var text = ""
    if let migration { text += "migration \(migration): " }
    text += "\(operation) failed: \(message) (code \(code), extended \(extendedCode))"
    if let sql { text += " sql=\"\(sql)\"" }
    return text
  }

  /// Returns a copy that names the migration in which the failure happened.
  func inMigration(_ version: Int) -> StoreError {
    StoreError(
      code: code, extendedCode: extendedCode, message: message, operation: operation, sql: sql,
      migration: version, byteOffset: byteOffset)
  }

  /// Returns the error SQLite reports on `handle` for a call that returned `resultCode`.
  /// SQLite's own message is used only when the connection's current error matches `resultCode`.
  static func from(
    _ handle: OpaquePointer?, resultCode: Int32, operation: String, sql: String? = nil
  ) -> StoreError {
    var extended = resultCode
    var message = String(cString: sqlite3_errstr(resultCode))
    if let handle {
      let current = sqlite3_extended_errcode(handle)
      if current & 0xff == resultCode & 0xff {
        extended = current
        message = String(cString: sqlite3_errmsg(handle))
      }
    }
    return StoreError(
      code: resultCode, extendedCode: extended, message: message, operation: operation, sql: sql)
  }

  /// Returns the error for a store used after `close()`.
  static func closed(_ operation: String) -> StoreError {
    StoreError(code: SQLITE_MISUSE, message: "store is closed", operation: operation)
  }

  static func firstLine(_ sql: String) -> String {
    let trimmed = sql.drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
    let line = trimmed.prefix { $0 != "\n" && $0 != "\r" }
    return line.count > 200 ? String(line.prefix(200)) + "..." : String(line)
  }
}
