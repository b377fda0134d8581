import CSQLite

extension SQLValue {
  /// Copies one argument of an application-defined function, or returns nil when SQLite could
  /// not allocate the text or blob. The byte count comes from `sqlite3_value_bytes`, so values
  /// containing NUL bytes are read whole.
  init?(functionArgument value: OpaquePointer) {
    switch sqlite3_value_type(value) {
    case SQLITE_INTEGER:
      self = .integer(sqlite3_value_int64(value))
    case SQLITE_FLOAT:
      self = .real(sqlite3_value_double(value))
    case SQLITE_TEXT:
      guard let pointer = sqlite3_value_text(value) else { return nil }
      let bytes = UnsafeBufferPointer(start: pointer, count: Int(sqlite3_value_bytes(value)))
      self = .text(String(decoding: bytes, as: UTF8.self))
    case SQLITE_BLOB:
      let count = Int(sqlite3_value_bytes(value))
      guard count > 0 else {
        self = .blob([])
        return
      }
      guard let pointer = sqlite3_value_blob(value) else { return nil }
      self = .blob(Array(UnsafeRawBufferPointer(start: pointer, count: count)))
    default:
      self = .null
    }
  }

  /// Sets this value as the result of an application-defined function call. SQLite copies text
  /// and blobs (`SQLITE_TRANSIENT`) before this returns.
  func setResult(of context: OpaquePointer) {
    switch self {
    case .null:
      sqlite3_result_null(context)
    case .integer(let number):
      sqlite3_result_int64(context, number)
    case .real(let number):
      sqlite3_result_double(context, number)
    case .text(var text):
      text.withUTF8 { buffer in
        // A NULL pointer would make the result SQL NULL, so an empty string gets a valid one.
        var empty: CChar = 0
        withUnsafePointer(to: &empty) { emptyPointer in
          let pointer =
            buffer.baseAddress.map { UnsafeRawPointer($0) } ?? UnsafeRawPointer(emptyPointer)
          sqlite3_result_text64(
            context, pointer.assumingMemoryBound(to: CChar.self), UInt64(buffer.count),
            csqlite_transient(), UInt8(SQLITE_UTF8))
        }
      }
    case .blob(let bytes):
      if bytes.isEmpty {
        sqlite3_result_zeroblob(context, 0)
        return
      }
      bytes.withUnsafeBytes { buffer in
        sqlite3_result_blob64(
          context, buffer.baseAddress, UInt64(buffer.count), csqlite_transient())
      }
    }
  }
}
