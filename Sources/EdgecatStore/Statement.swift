import CSQLite

/// A prepared statement owned by one `Database`'s cache; used and finalized on that connection's
/// thread only.
final class Statement {
  private(set) var handle: OpaquePointer?
  let sql: String
  private let database: OpaquePointer

  init(handle: OpaquePointer, sql: String, database: OpaquePointer) {
    self.handle = handle
    self.sql = sql
    self.database = database
  }

  func finalize() {
    sqlite3_finalize(handle)
    handle = nil
  }

  /// Returns the statement to its initial state and clears its bindings, ready for reuse.
  /// The result of `sqlite3_reset` repeats the last step's error, which `step` already threw.
  func reset() {
    sqlite3_reset(handle)
    sqlite3_clear_bindings(handle)
  }

  /// Binds `parameters` to positions 1 through n; their count must match the statement's.
  func bind(_ parameters: [SQLValue]) throws {
    let expected = Int(sqlite3_bind_parameter_count(handle))
    guard expected == parameters.count else {
      throw StoreError(
        code: SQLITE_RANGE,
        message: "statement takes \(expected) parameters but \(parameters.count) were given",
        operation: "sqlite3_bind", sql: sql)
    }
    for (offset, value) in parameters.enumerated() {
      let result = bind(value, at: Int32(offset + 1))
      guard result == SQLITE_OK else {
        // The count was checked above, so SQLITE_RANGE here would be a bug in this module.
        precondition(result != SQLITE_RANGE, "sqlite3_bind returned SQLITE_RANGE")
        throw StoreError.from(database, resultCode: result, operation: "sqlite3_bind", sql: sql)
      }
    }
  }

  /// Binds text and blobs with SQLITE_TRANSIENT, so SQLite copies them before this returns.
  private func bind(_ value: SQLValue, at position: Int32) -> Int32 {
    switch value {
    case .null:
      return sqlite3_bind_null(handle, position)
    case .integer(let number):
      return sqlite3_bind_int64(handle, position, number)
    case .real(let number):
      return sqlite3_bind_double(handle, position, number)
    case .text(var text):
      return text.withUTF8 { buffer in
        // A NULL pointer would bind SQL NULL, so an empty string gets a valid pointer.
        var empty: CChar = 0
        return withUnsafePointer(to: &empty) { emptyPointer in
          let pointer =
            buffer.baseAddress.map { UnsafeRawPointer($0) } ?? UnsafeRawPointer(emptyPointer)
          return sqlite3_bind_text64(
            handle, position, pointer.assumingMemoryBound(to: CChar.self), UInt64(buffer.count),
            csqlite_transient(), UInt8(SQLITE_UTF8))
        }
      }
    case .blob(let bytes):
      if bytes.isEmpty { return sqlite3_bind_zeroblob(handle, position, 0) }
      return bytes.withUnsafeBytes { buffer in
        sqlite3_bind_blob64(
          handle, position, buffer.baseAddress, UInt64(buffer.count), csqlite_transient())
      }
    }
  }

  /// Advances to the next row; returns true for a row and false when the statement is done.
  func step() throws -> Bool {
    let result = sqlite3_step(handle)
    switch result {
    case SQLITE_ROW: return true
    case SQLITE_DONE: return false
    default:
      throw StoreError.from(database, resultCode: result, operation: "sqlite3_step", sql: sql)
    }
  }

  func columnNames() -> ColumnNames {
    let count = sqlite3_column_count(handle)
    var names: [String] = []
    names.reserveCapacity(Int(count))
    for column in 0..<count {
      names.append(sqlite3_column_name(handle, column).map { String(cString: $0) } ?? "")
    }
    return ColumnNames(names)
  }

  /// Copies the current row out; the byte count comes from `sqlite3_column_bytes`, so text and
  /// blobs containing NUL bytes are read whole.
  func row(_ columns: ColumnNames) throws -> Row {
    let count = sqlite3_column_count(handle)
    var values: [SQLValue] = []
    values.reserveCapacity(Int(count))
    for column in 0..<count {
      values.append(try value(at: column))
    }
    return Row(values: values, columns: columns)
  }

  private func value(at column: Int32) throws -> SQLValue {
    switch sqlite3_column_type(handle, column) {
    case SQLITE_NULL:
      return .null
    case SQLITE_INTEGER:
      return .integer(sqlite3_column_int64(handle, column))
    case SQLITE_FLOAT:
      return .real(sqlite3_column_double(handle, column))
    case SQLITE_TEXT:
      let pointer = sqlite3_column_text(handle, column)
      let count = Int(sqlite3_column_bytes(handle, column))
      guard let pointer else {
        try checkNoMemory("sqlite3_column_text")
        return .text("")
      }
      let bytes = UnsafeBufferPointer(start: pointer, count: count)
      return .text(String(decoding: bytes, as: UTF8.self))
    case SQLITE_BLOB:
      let pointer = sqlite3_column_blob(handle, column)
      let count = Int(sqlite3_column_bytes(handle, column))
      guard let pointer else {
        try checkNoMemory("sqlite3_column_blob")
        return .blob([])
      }
      return .blob(Array(UnsafeRawBufferPointer(start: pointer, count: count)))
    case let type:
      preconditionFailure("sqlite3_column_type returned unknown type \(type)")
    }
  }

  /// Throws SQLITE_NOMEM when a NULL column pointer came from an allocation failure, not from an
  /// empty value.
  private func checkNoMemory(_ operation: String) throws {
    if sqlite3_errcode(database) == SQLITE_NOMEM {
      throw StoreError.from(database, resultCode: SQLITE_NOMEM, operation: operation, sql: sql)
    }
  }
}
