import EdgecatStore
import EdgecatTestSupport
import Testing

@Suite("Submitted writes")
struct SubmitTests {
  @Test("submitted writes run in submit order")
  func submitOrder() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let store = try await Store.open(
      path: directory.file("db"), migrations: TransactionTests.schema)
    defer { store.close() }

    let pending = (0..<20).map { index in
      store.submit { db in
        try db.execute("INSERT INTO items (name, size) VALUES (?, ?)", .text("item \(index)"),
          .integer(Int64(index)))
        return db.lastInsertRowID
      }
    }
    var rowids: [Int64] = []
    for write in pending { rowids.append(try await write.value()) }
    #expect(rowids == Array(1...20))
    let sizes = try await store.read { db in
      try db.query("SELECT size FROM items ORDER BY id").compactMap { $0[0].int }
    }
    #expect(sizes == Array(0..<20))
  }

  @Test("failed submitted write keeps the others")
  func submitFailure() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let store = try await Store.open(
      path: directory.file("db"), migrations: TransactionTests.schema)
    defer { store.close() }

    let first = store.submit { db in
      try db.execute("INSERT INTO items (name) VALUES ('first')")
    }
    let failing = store.submit { db in
      try db.execute("INSERT INTO items (name) VALUES ('first')")
    }
    let last = store.submit { db in
      try db.execute("INSERT INTO items (name) VALUES ('last')")
    }
    try await first.value()
    await #expect(throws: StoreError.self) { try await failing.value() }
    try await last.value()
    #expect(try await TransactionTests.count(store) == 2)
  }

  @Test("submit after close fails")
  func submitAfterClose() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let store = try await Store.open(
      path: directory.file("db"), migrations: TransactionTests.schema)
    store.close()
    let write = store.submit { _ in 1 }
    await #expect(throws: StoreError.self) { try await write.value() }
  }
}
