import EdgecatStore
import EdgecatTestSupport
import Testing

@Suite("Database values and statements")
struct DatabaseTests {
  static let schema = [
    Migration(version: 1, sql: "CREATE TABLE things (id INTEGER PRIMARY KEY, value ANY);")
  ]

  @Test("text and blobs with NUL bytes round trip")
  func nulRoundTrip() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let store = try await Store.open(path: directory.file("db"), migrations: Self.schema)
    defer { store.close() }

    let values: [SQLValue] = [
      .text("before\u{0}after"), .text(""), .text("\u{0}"), .text("naïve 日本 🚀"),
      .blob([0, 1, 0, 255, 0]), .blob([]), .null, .integer(Int64.min), .real(-0.5),
    ]
    try await store.write { db in
      for value in values { try db.execute("INSERT INTO things (value) VALUES (?)", value) }
    }
    let read = try await store.read { db in
      try db.query("SELECT value FROM things ORDER BY id").map { $0[0] }
    }
    #expect(read == values)
    #expect(read[0].string?.utf8.count == 12)
  }

  @Test("statement cache reuses SQL with new parameters")
  func statementCacheReuse() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let store = try Store(path: directory.file("db"), migrations: Self.schema)
    defer { store.close() }

    let result = try store.writeSync { db in
      let before = db.cachedStatementCount
      try db.execute("INSERT INTO things (value) VALUES (?)", "first")
      let afterFirst = db.cachedStatementCount
      try db.execute("INSERT INTO things (value) VALUES (?)", 2)
      let afterSecond = db.cachedStatementCount
      let rows = try db.query("SELECT value FROM things WHERE id = ?", .integer(1))
        + db.query("SELECT value FROM things WHERE id = ?", .integer(2))
      return (afterFirst - before, afterSecond - afterFirst, rows.map { $0[0] })
    }
    #expect(result.0 == 1)
    #expect(result.1 == 0)
    #expect(result.2 == [.text("first"), .integer(2)])
  }

  @Test("rows readable by index and name")
  func rowAccess() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let database = try Database(path: directory.file("db"))
    defer { database.close() }

    let row = try database.queryOne("SELECT 1 AS one, 'two' AS two, 3.5 AS three, NULL AS four")
    #expect(row?.count == 4)
    #expect(row?.columnNames == ["one", "two", "three", "four"])
    #expect(row?[0].int == 1)
    #expect(row?["two"].string == "two")
    #expect(row?["three"].double == 3.5)
    #expect(row?["four"].isNull == true)
    #expect(row?.value(named: "five") == nil)
    #expect(try database.queryOne("SELECT 1 WHERE 0") == nil)
  }

  @Test("lastInsertRowID and changes")
  func rowIDAndChanges() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let database = try Database(path: directory.file("db"))
    defer { database.close() }

    try database.executeScript(Self.schema[0].sql)
    try database.execute("INSERT INTO things (id, value) VALUES (41, 'a')")
    try database.execute("INSERT INTO things (value) VALUES (?)", ["b"])
    #expect(database.lastInsertRowID == 42)
    try database.execute("UPDATE things SET value = ?", [SQLValue(true)])
    #expect(database.changes == 2)
  }

  @Test("parameter count mismatch rejected")
  func parameterCountMismatch() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let database = try Database(path: directory.file("db"))
    defer { database.close() }

    let error = #expect(throws: StoreError.self) {
      try database.execute("SELECT ?, ?", 1)
    }
    // SQLITE_RANGE is 25.
    #expect(error?.code == 25)
    #expect(error?.message == "statement takes 2 parameters but 1 were given")
    // The statement stays usable after the failed bind.
    #expect(try database.queryOne("SELECT ?, ?", 1, 2)?[1].int == 2)
  }

  @Test("several statements in one execute rejected")
  func multipleStatementsRejected() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let database = try Database(path: directory.file("db"))
    defer { database.close() }

    let error = #expect(throws: StoreError.self) {
      try database.execute("CREATE TABLE a (x); CREATE TABLE b (x);")
    }
    #expect(error?.message.contains("more than one statement") == true)
    try database.execute("CREATE TABLE c (x); -- trailing comment")
    #expect(try database.queryOne("SELECT count(*) FROM c")?[0].int == 0)
  }

  @Test("syntax error names the SQL first line")
  func syntaxError() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let database = try Database(path: directory.file("db"))
    defer { database.close() }

    let error = #expect(throws: StoreError.self) {
      try database.query("SELEC 1\nFROM nowhere")
    }
    #expect(error?.operation == "sqlite3_prepare_v3")
    #expect(error?.sql == "SELEC 1")
    #expect(error?.code == 1)
  }
}
