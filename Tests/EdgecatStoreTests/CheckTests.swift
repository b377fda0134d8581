import EdgecatStore
import Testing

@Suite("Preparing statements without running them")
struct CheckTests {
  static func openDatabase() throws -> Database {
    let database = try Database(path: ":memory:")
    try database.executeScript("CREATE TABLE t (a, b); INSERT INTO t VALUES (1, 2);")
    return database
  }

  @Test("check describes statement")
  func describes() throws {
    let database = try Self.openDatabase()
    defer { database.close() }

    let select = try database.check("SELECT a AS first, b FROM t WHERE a = ?")
    #expect(select.columnNames == ["first", "b"])
    #expect(select.parameterCount == 1)
    #expect(select.isReadOnly)
    let delete = try database.check("DELETE FROM t WHERE a = :a OR b = :b")
    #expect(delete.parameterCount == 2)
    #expect(!delete.isReadOnly)
  }

  @Test("check runs nothing")
  func runsNothing() throws {
    let database = try Self.openDatabase()
    defer { database.close() }
    var calls = 0
    try database.createFunction(name: "bump", argumentCount: 0, deterministic: false) { _ in
      calls += 1
      return .null
    }

    try database.check("DELETE FROM t")
    try database.check("INSERT INTO t VALUES (bump(), bump())")
    try database.check("SELECT bump()")
    #expect(calls == 0)
    #expect(try database.queryOne("SELECT count(*) FROM t")?[0].int == 1)
    #expect(database.cachedStatementCount == 1)
  }

  @Test("check reports SQLite message and offset")
  func reportsMessage() throws {
    let database = try Self.openDatabase()
    defer { database.close() }

    let error = #expect(throws: StoreError.self) { try database.check("SELECT a, x FROM t") }
    #expect(error?.message == "no such column: x")
    #expect(error?.operation == "sqlite3_prepare_v3")
    #expect(error?.byteOffset == 10)
    let syntax = #expect(throws: StoreError.self) { try database.check("SELECT FROM t") }
    #expect(syntax?.message == "near \"FROM\": syntax error")
    #expect(syntax?.byteOffset == 7)
  }

  @Test("check rejects second statement and runs neither")
  func rejectsSecondStatement() throws {
    let database = try Self.openDatabase()
    defer { database.close() }

    let error = #expect(throws: StoreError.self) { try database.check("SELECT 1; DROP TABLE t") }
    #expect(error?.message.contains("more than one statement") == true)
    #expect(try database.queryOne("SELECT count(*) FROM t")?[0].int == 1)
    try database.check("SELECT 1; -- comment after the statement")
  }

  @Test("check rejects text without statement")
  func rejectsEmpty() throws {
    let database = try Self.openDatabase()
    defer { database.close() }

    let error = #expect(throws: StoreError.self) { try database.check("  -- nothing") }
    #expect(error?.message == "SQL text contains no statement")
  }

  @Test("check fails when authorizer denies")
  func authorizerDenies() throws {
    let database = try Self.openDatabase()
    defer { database.close() }
    try database.setAuthorizer { request in request.action == .delete ? .deny : .allow }

    let error = #expect(throws: StoreError.self) { try database.check("DELETE FROM t") }
    #expect(error?.message == "not authorized")
    try database.check("SELECT a FROM t")
  }

  @Test("double-quoted strings off makes them identifiers")
  func doubleQuotedStrings() throws {
    let database = try Self.openDatabase()
    defer { database.close() }

    try database.check("SELECT \"nosuch\" FROM t")
    try database.disableDoubleQuotedStringLiterals()
    let error = #expect(throws: StoreError.self) { try database.check("SELECT \"nosuch\" FROM t") }
    #expect(error?.message == "no such column: nosuch")
  }
}
