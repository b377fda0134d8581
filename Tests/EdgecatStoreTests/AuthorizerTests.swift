import EdgecatStore
import Testing

@Suite("Database authorizer")
struct AuthorizerTests {
  /// Opens an in-memory database with table t (a, b) holding one row.
  static func openDatabase() throws -> Database {
    let database = try Database(path: ":memory:")
    try database.executeScript("CREATE TABLE t (a, b); INSERT INTO t VALUES (1, 2);")
    return database
  }

  @Test("authorizer sees select and column reads")
  func seesReads() throws {
    let database = try Self.openDatabase()
    defer { database.close() }
    var requests: [AuthorizerRequest] = []
    try database.setAuthorizer { request in
      requests.append(request)
      return .allow
    }

    try database.check("SELECT a FROM t")
    #expect(requests.contains { $0.action == .select })
    let read = requests.first { $0.action == .read }
    #expect(read?.tableName == "t")
    #expect(read?.columnName == "a")
    #expect(read?.databaseName == "main")
    #expect(read?.triggerOrViewName == nil)
  }

  @Test("authorizer sees function name")
  func seesFunction() throws {
    let database = try Self.openDatabase()
    defer { database.close() }
    var functions: [String] = []
    try database.setAuthorizer { request in
      if let name = request.functionName { functions.append(name) }
      return .allow
    }

    try database.check("SELECT upper(a) FROM t")
    #expect(functions == ["upper"])
  }

  @Test("denied read fails preparation")
  func deniedRead() throws {
    let database = try Self.openDatabase()
    defer { database.close() }
    try database.setAuthorizer { request in
      request.columnName == "b" ? .deny : .allow
    }

    let error = #expect(throws: StoreError.self) {
      try database.query("SELECT b FROM t")
    }
    #expect(error?.message == "access to t.b is prohibited")
    // SQLITE_AUTH is 23.
    #expect(error?.code == 23)
    #expect(try database.queryOne("SELECT a FROM t")?[0].int == 1)
  }

  @Test("denied select reports not authorized")
  func deniedSelect() throws {
    let database = try Self.openDatabase()
    defer { database.close() }
    try database.setAuthorizer { request in request.action == .select ? .deny : .allow }

    let error = #expect(throws: StoreError.self) {
      try database.check("SELECT 1")
    }
    #expect(error?.message == "not authorized")
  }

  @Test("ignored read and function give NULL")
  func ignoredReadAndFunction() throws {
    let database = try Self.openDatabase()
    defer { database.close() }
    try database.setAuthorizer { request in
      request.columnName == "b" || request.functionName == "upper" ? .ignore : .allow
    }

    let row = try database.queryOne("SELECT a, b, upper('x') FROM t")
    #expect(row?[0].int == 1)
    #expect(row?[1].isNull == true)
    #expect(row?[2].isNull == true)
  }

  @Test("new authorizer rechecks cached statements")
  func rechecksCachedStatements() throws {
    let database = try Self.openDatabase()
    defer { database.close() }
    #expect(try database.queryOne("SELECT b FROM t")?[0].int == 2)
    #expect(database.cachedStatementCount == 1)

    try database.setAuthorizer { request in request.columnName == "b" ? .deny : .allow }
    #expect(database.cachedStatementCount == 0)
    #expect(throws: StoreError.self) { try database.queryOne("SELECT b FROM t") }

    database.removeAuthorizer()
    #expect(try database.queryOne("SELECT b FROM t")?[0].int == 2)
  }

  @Test("handler released on replacement and close")
  func handlerReleased() throws {
    let database = try Self.openDatabase()
    weak var first: Tracker?
    weak var second: Tracker?
    do {
      let tracker = Tracker()
      first = tracker
      try database.setAuthorizer { _ in
        tracker.calls += 1
        return .allow
      }
    }
    try database.check("SELECT 1")
    #expect(first?.calls == 1)

    do {
      let tracker = Tracker()
      second = tracker
      try database.setAuthorizer { _ in
        tracker.calls += 1
        return .allow
      }
    }
    #expect(first == nil)
    #expect(second != nil)
    database.close()
    #expect(second == nil)
  }

  @Test("setAuthorizer on closed database throws")
  func closedDatabase() throws {
    let database = try Self.openDatabase()
    database.close()
    #expect(throws: StoreError.self) { try database.setAuthorizer { _ in .allow } }
    database.removeAuthorizer()
  }

  @Test("action codes round trip", arguments: Array(Int32(1)...33))
  func actionCodes(code: Int32) {
    let action = AuthorizerAction(code: code)
    #expect(action != .other(code))
    #expect(action.code == code)
  }

  @Test("unknown action code kept")
  func unknownActionCode() {
    #expect(AuthorizerAction(code: 20) == .read)
    #expect(AuthorizerAction(code: 99) == .other(99))
    #expect(AuthorizerAction.other(99).code == 99)
  }
}

/// Counts calls of a handler that captures it, so tests can see when the handler is released.
final class Tracker {
  var calls = 0
}
