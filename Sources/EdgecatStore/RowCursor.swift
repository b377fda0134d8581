import CSQLite

/// One prepared statement that its owner steps a row at a time, for results too large to copy
/// out at once. Not thread-safe: use it on its connection's thread only. `close()` finalizes
/// it; closing the connection finalizes it too, after which `next()` fails with MISUSE.
public final class RowCursor {
  private let statement: Statement
  private unowned let database: Database
  private let columns: ColumnNames
  /// The result column names in order, as SQLite reports them (the `AS` alias where one is given).
  public var columnNames: [String] { columns.names }
  /// True when the statement makes no direct change to the database (`sqlite3_stmt_readonly`).
  public let isReadOnly: Bool
  /// The number of bound parameters the statement has (`sqlite3_bind_parameter_count`).
  public let parameterCount: Int

  init(statement: Statement, database: Database, handle: OpaquePointer) {
    self.statement = statement
    self.database = database
    columns = statement.columnNames()
    isReadOnly = sqlite3_stmt_readonly(handle) != 0
    parameterCount = Int(sqlite3_bind_parameter_count(handle))
  }

  deinit { close() }

  /// Steps to the next row and returns its values, or nil when the statement is done.
  public func next() throws -> [SQLValue]? {
    guard statement.handle != nil else {
      throw StoreError(code: SQLITE_MISUSE, message: "cursor is closed", operation: "sqlite3_step")
    }
    guard try statement.step() else { return nil }
    return try statement.row(columns).values
  }

  /// Finalizes the statement; calling it again does nothing.
  public func close() {
    guard statement.handle != nil else { return }
    statement.finalize()
    database.cursorStatements[ObjectIdentifier(self)] = nil
  }
}

extension Database {
  /// Prepares exactly one statement for stepping row by row. The statement does not enter the
  /// cache; an installed authorizer is asked about every action as it is prepared. Throws a
  /// `StoreError` as `check` does.
  public func openCursor(_ sql: String) throws -> RowCursor {
    let handle = try openHandle(for: "sqlite3_prepare_v3")
    let prepared = try prepareOne(sql, flags: 0)
    let statement = Statement(handle: prepared, sql: sql, database: handle)
    let cursor = RowCursor(statement: statement, database: self, handle: prepared)
    cursorStatements[ObjectIdentifier(cursor)] = statement
    return cursor
  }
}
