import EdgecatStore
import Testing

@Suite("Prepared statements with typed binds")
struct PreparedStatementTests {
  @Test("typed binds and reads round-trip")
  func roundTrip() throws {
    let database = try Database(path: ":memory:")
    defer { database.close() }
    try database.executeScript("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n);")
    let insert = try database.prepared("INSERT INTO t VALUES (?, ?, ?, ?, ?)")
    try insert.bind(Int64(-7), at: 1)
    try insert.bind(2.5, at: 2)
    try insert.bind("héllo", at: 3)
    try insert.bind([1, 2, 3] as [UInt8], at: 4)
    try insert.bindNull(at: 5)
    #expect(try insert.step() == false)
    insert.reset()

    let select = try database.prepared("SELECT i, r, s, b, n FROM t")
    defer { select.reset() }
    #expect(try select.step())
    #expect(select.int64(at: 0) == -7)
    #expect(select.double(at: 1) == 2.5)
    #expect(select.string(at: 2) == "héllo")
    #expect(select.bytes(at: 3) == [1, 2, 3])
    #expect(select.isNull(at: 4))
    #expect(select.withUTF8(at: 2) { $0.count } == 6)
  }

  @Test("empty text binds as text, not NULL")
  func emptyText() throws {
    let database = try Database(path: ":memory:")
    defer { database.close() }
    let select = try database.prepared("SELECT typeof(?)")
    defer { select.reset() }
    try select.bind("", at: 1)
    #expect(try select.step())
    #expect(select.string(at: 0) == "text")
  }

  @Test("borrowed text stays bound across resets")
  func borrowedText() throws {
    let database = try Database(path: ":memory:")
    defer { database.close() }
    let select = try database.prepared("SELECT ?")
    defer { select.reset() }
    let bytes = Array("edge".utf8)
    try bytes.withUnsafeBufferPointer { buffer in
      try select.bind(borrowedUTF8: buffer, at: 1)
      #expect(try select.step())
      #expect(select.string(at: 0) == "edge")
      select.resetKeepingBindings()
      #expect(try select.step())
      #expect(select.string(at: 0) == "edge")
      select.reset()
    }
  }

  @Test("statements fetched together survive a full cache")
  func fullCache() throws {
    let database = try Database(path: ":memory:", statementCacheCapacity: 2)
    defer { database.close() }
    _ = try database.prepared("SELECT 1")
    _ = try database.prepared("SELECT 2")
    let statements = try database.prepared(["SELECT 1", "SELECT 3"])
    for (statement, expected) in zip(statements, [Int64(1), 3]) {
      #expect(try statement.step())
      #expect(statement.int64(at: 0) == expected)
      statement.reset()
    }
  }
}
