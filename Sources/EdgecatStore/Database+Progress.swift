import CSQLite

/// The handler a `Database` installed with `sqlite3_progress_handler`.
final class ProgressBox {
  let shouldInterrupt: () -> Bool

  init(_ shouldInterrupt: @escaping () -> Bool) {
    self.shouldInterrupt = shouldInterrupt
  }
}

extension Database {
  /// Installs `shouldInterrupt` with `sqlite3_progress_handler`, replacing any earlier one.
  /// SQLite calls it on this connection's thread about every `instructions` virtual machine
  /// steps of a running statement; returning true ends the statement with SQLITE_INTERRUPT
  /// (`StoreError.isInterrupt`). The handler must not use this `Database`.
  public func setProgressHandler(
    instructions: Int32, _ shouldInterrupt: @escaping () -> Bool
  ) throws {
    let handle = try openHandle(for: "sqlite3_progress_handler")
    let box = ProgressBox(shouldInterrupt)
    sqlite3_progress_handler(
      handle, max(1, instructions), progressCallback, Unmanaged.passUnretained(box).toOpaque())
    progressHandler = box
  }

  /// Removes the handler installed by `setProgressHandler`. Does nothing on a closed connection.
  public func removeProgressHandler() {
    guard let handle else { return }
    sqlite3_progress_handler(handle, 0, nil, nil)
    progressHandler = nil
  }

  /// Sets one of SQLite's run-time limits with `sqlite3_limit` and returns the earlier value.
  /// SQLite lowers a value above its compile-time maximum to that maximum.
  @discardableResult
  public func setLimit(_ limit: DatabaseLimit, _ value: Int32) throws -> Int32 {
    let handle = try openHandle(for: "sqlite3_limit")
    return sqlite3_limit(handle, limit.code, max(0, value))
  }
}

/// A run-time limit of one connection that `Database.setLimit` changes.
public enum DatabaseLimit: Sendable {
  /// The maximum bytes of a string, blob or row (`SQLITE_LIMIT_LENGTH`).
  case length
  /// The maximum bytes of SQL text (`SQLITE_LIMIT_SQL_LENGTH`).
  case sqlLength
  /// The maximum depth of an expression tree (`SQLITE_LIMIT_EXPR_DEPTH`).
  case expressionDepth
  /// The maximum number of SELECTs joined by UNION and the like (`SQLITE_LIMIT_COMPOUND_SELECT`).
  case compoundSelect

  var code: Int32 {
    switch self {
    case .length: SQLITE_LIMIT_LENGTH
    case .sqlLength: SQLITE_LIMIT_SQL_LENGTH
    case .expressionDepth: SQLITE_LIMIT_EXPR_DEPTH
    case .compoundSelect: SQLITE_LIMIT_COMPOUND_SELECT
    }
  }
}

extension StoreError {
  /// True when a progress handler or `sqlite3_interrupt` ended the statement.
  public var isInterrupt: Bool { code == SQLITE_INTERRUPT }
}

/// Forwards one `sqlite3_progress_handler` callback to the `ProgressBox` in `userData`, which
/// the `Database` keeps alive while the handler is installed. A non-zero result interrupts.
private func progressCallback(userData: UnsafeMutableRawPointer?) -> Int32 {
  guard let userData else { return 0 }
  let box = Unmanaged<ProgressBox>.fromOpaque(userData).takeUnretainedValue()
  return box.shouldInterrupt() ? 1 : 0
}
