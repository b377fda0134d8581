import CSQLite
import EdgecatLog

/// One SQLite connection with its own prepared-statement cache.
/// Not thread-safe: use it from one thread at a time; `Store` keeps each one on its own thread.
public final class Database {
  /// The file this connection opened.
  public let path: String
  /// True for a connection opened with `SQLITE_OPEN_READONLY` and `PRAGMA query_only`.
  public let isReadOnly: Bool

  private(set) var handle: OpaquePointer?
  var statements: [String: Statement] = [:]
  /// The installed authorizer handler, to which SQLite keeps an unretained pointer.
  var authorizer: AuthorizerBox?
  /// The installed progress handler, to which SQLite keeps an unretained pointer.
  var progressHandler: ProgressBox?
  /// Statements of open `RowCursor`s, finalized by `close()` if their owners did not.
  var cursorStatements: [ObjectIdentifier: Statement] = [:]
  /// The number of prepared statements kept; the cache is emptied when it would grow past this.
  let statementCacheCapacity: Int
  let logger: Logger

  /// Opens `path`, creating the file unless `readOnly` is set.
  /// Waits up to `busyTimeout` for locks held by other connections before failing with SQLITE_BUSY.
  public init(
    path: String, readOnly: Bool = false, busyTimeout: Duration = .seconds(5),
    statementCacheCapacity: Int = 64
  ) throws {
    self.path = path
    self.isReadOnly = readOnly
    self.statementCacheCapacity = max(1, statementCacheCapacity)
    self.logger = Logger(component: "store").with(["path": path])

    // NOMUTEX: each connection is confined to one thread at a time, so SQLite's own mutex is
    // not needed.
    var flags = SQLITE_OPEN_NOMUTEX
    flags |= readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
    var opened: OpaquePointer?
    let result = sqlite3_open_v2(path, &opened, flags, nil)
    guard result == SQLITE_OK, let opened else {
      let error = StoreError.from(opened, resultCode: result, operation: "sqlite3_open_v2")
      sqlite3_close(opened)
      throw error
    }
    handle = opened
    sqlite3_extended_result_codes(opened, 1)
    sqlite3_busy_timeout(opened, Database.milliseconds(busyTimeout))
    if readOnly {
      do {
        try execute("PRAGMA query_only = ON")
      } catch {
        close()
        throw error
      }
    }
  }

  deinit { close() }

  /// Finalizes every cached statement and closes the connection; later calls fail with MISUSE.
  /// Calling it again does nothing.
  public func close() {
    guard let handle else { return }
    for statement in statements.values { statement.finalize() }
    statements.removeAll()
    for statement in cursorStatements.values { statement.finalize() }
    cursorStatements.removeAll()
    let result = sqlite3_close(handle)
    // Every statement this connection prepared is in the cache or an open cursor, so close
    // cannot find one open.
    precondition(result == SQLITE_OK, "sqlite3_close returned \(result) with no open statements")
    self.handle = nil
    authorizer = nil
    progressHandler = nil
  }

  /// The row id of the most recent successful INSERT on this connection.
  public var lastInsertRowID: Int64 { handle.map { sqlite3_last_insert_rowid($0) } ?? 0 }

  /// The number of rows changed by the most recent INSERT, UPDATE or DELETE.
  public var changes: Int { handle.map { Int(sqlite3_changes64($0)) } ?? 0 }

  /// True while a transaction is open on this connection.
  public var isInTransaction: Bool { handle.map { sqlite3_get_autocommit($0) == 0 } ?? false }

  /// Runs SQL text that may contain several statements and takes no parameters, such as a
  /// migration. Statements before a failing one keep their effects unless a transaction is undone.
  public func executeScript(_ sql: String) throws {
    let handle = try openHandle(for: "sqlite3_exec")
    var message: UnsafeMutablePointer<CChar>?
    let result = sqlite3_exec(handle, sql, nil, nil, &message)
    defer { sqlite3_free(message) }
    guard result == SQLITE_OK else {
      let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(result))
      let error = StoreError(
        code: result, extendedCode: sqlite3_extended_errcode(handle), message: text,
        operation: "sqlite3_exec", sql: sql)
      throw error
    }
  }

  /// Runs one statement with positional parameters, discarding any rows it returns.
  public func execute(_ sql: String, _ parameters: [SQLValue]) throws {
    let statement = try cachedStatement(sql)
    defer { statement.reset() }
    try statement.bind(parameters)
    while try statement.step() {}
  }

  /// Runs one statement with positional parameters, discarding any rows it returns.
  public func execute(_ sql: String, _ parameters: SQLValue...) throws {
    try execute(sql, parameters)
  }

  /// Runs one statement with positional parameters and returns every row.
  public func query(_ sql: String, _ parameters: [SQLValue]) throws -> [Row] {
    let statement = try cachedStatement(sql)
    defer { statement.reset() }
    try statement.bind(parameters)
    let columns = statement.columnNames()
    var rows: [Row] = []
    while try statement.step() {
      rows.append(try statement.row(columns))
    }
    return rows
  }

  /// Runs one statement with positional parameters and returns every row.
  public func query(_ sql: String, _ parameters: SQLValue...) throws -> [Row] {
    try query(sql, parameters)
  }

  /// Runs one statement and returns its first row, or nil when it returns none.
  public func queryOne(_ sql: String, _ parameters: [SQLValue]) throws -> Row? {
    let statement = try cachedStatement(sql)
    defer { statement.reset() }
    try statement.bind(parameters)
    guard try statement.step() else { return nil }
    return try statement.row(statement.columnNames())
  }

  /// Runs one statement and returns its first row, or nil when it returns none.
  public func queryOne(_ sql: String, _ parameters: SQLValue...) throws -> Row? {
    try queryOne(sql, parameters)
  }

  func openHandle(for operation: String) throws -> OpaquePointer {
    guard let handle else {
      throw StoreError(
        code: SQLITE_MISUSE, message: "connection is closed", operation: operation)
    }
    return handle
  }

  /// Converts a busy timeout to whole milliseconds, clamped to what `sqlite3_busy_timeout` takes.
  static func milliseconds(_ duration: Duration) -> Int32 {
    let (seconds, attoseconds) = duration.components
    let total = seconds.multipliedReportingOverflow(by: 1000)
    guard !total.overflow else { return seconds < 0 ? 0 : Int32.max }
    let millis = total.partialValue + attoseconds / 1_000_000_000_000_000
    return Int32(clamping: max(0, millis))
  }
}
