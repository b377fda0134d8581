import EdgecatStore
import Testing

@Suite("Cursors, aggregates, progress handlers and database threads")
struct CursorTests {
  @Test("cursor steps rows one at a time")
  func cursorRows() throws {
    let database = try Database(path: ":memory:")
    defer { database.close() }

    let cursor = try database.openCursor(
      "SELECT column1 AS value, 'x' AS name FROM (VALUES (1), (2), (3))")

    #expect(cursor.columnNames == ["value", "name"])
    #expect(cursor.isReadOnly)
    #expect(try cursor.next() == [1, "x"])
    #expect(try cursor.next() == [2, "x"])
    #expect(try cursor.next() == [3, "x"])
    #expect(try cursor.next() == nil)
  }

  @Test("closing the connection finalizes an open cursor")
  func cursorOutlivesConnection() throws {
    let database = try Database(path: ":memory:")
    let cursor = try database.openCursor("SELECT 1 UNION ALL SELECT 2")
    #expect(try cursor.next() == [1])

    database.close()

    #expect(throws: StoreError.self) { try cursor.next() }
  }

  final class Product: AggregateState {
    var product: Int64 = 1
    var rows = 0
    func step(_ arguments: [SQLValue]) throws {
      guard let number = arguments[0].int64 else {
        throw StoreError(code: 1, message: "product() takes integers", operation: "step")
      }
      product *= number
      rows += 1
    }
    func finish() throws -> SQLValue { rows == 0 ? .null : .integer(product) }
  }

  @Test("aggregate function runs per group")
  func aggregate() throws {
    let database = try Database(path: ":memory:")
    defer { database.close() }
    try database.createAggregateFunction(name: "product", argumentCount: 1) { Product() }

    let rows = try database.query(
      """
      SELECT column1, product(column2) FROM (VALUES ('a', 2), ('a', 3), ('b', 5))
      GROUP BY column1 ORDER BY column1
      """)
    let empty = try database.queryOne("SELECT product(1) WHERE 0")

    #expect(rows.map(\.values) == [["a", 6], ["b", 5]])
    #expect(empty?[0] == .null)
    #expect(throws: StoreError.self) { try database.query("SELECT product('x')") }
  }

  @Test("progress handler interrupts a statement")
  func progressInterrupt() throws {
    let database = try Database(path: ":memory:")
    defer { database.close() }
    try database.setProgressHandler(instructions: 100) { true }

    do {
      _ = try database.query(
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT max(x) FROM n")
      Issue.record("the statement was not interrupted")
    } catch let error as StoreError {
      #expect(error.isInterrupt)
    }
    database.removeProgressHandler()
    #expect(try database.queryOne("SELECT 1")?[0] == 1)
  }

  @Test("length limit rejects long values")
  func lengthLimit() throws {
    let database = try Database(path: ":memory:")
    defer { database.close() }

    try database.setLimit(.length, 100)

    #expect(throws: StoreError.self) { try database.query("SELECT zeroblob(200)") }
  }

  @Test("database thread runs jobs on its connection")
  func databaseThread() async throws {
    let thread = try DatabaseThread { try Database(path: ":memory:") }

    let value = try await thread.run { database in
      (try? database.queryOne("SELECT 40 + 2")?[0].int) ?? 0
    }
    thread.close()

    #expect(value == 42)
    await #expect(throws: StoreError.self) { try await thread.run { _ in 0 } }
  }
}
