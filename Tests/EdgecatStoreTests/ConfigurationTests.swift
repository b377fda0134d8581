import EdgecatStore
import EdgecatTestSupport
import Testing

@Suite("Connection settings")
struct ConfigurationTests {
  @Test("writer uses WAL with synchronous FULL")
  func writerPragmas() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let store = try await Store.open(path: directory.file("db"))
    defer { store.close() }

    let settings = try await store.write { db in
      (
        try db.queryOne("PRAGMA journal_mode")?[0].string,
        try db.queryOne("PRAGMA synchronous")?[0].int,
        try db.queryOne("PRAGMA foreign_keys")?[0].int,
        try db.queryOne("PRAGMA busy_timeout")?[0].int
      )
    }
    #expect(settings.0 == "wal")
    // synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
    #expect(settings.1 == 2)
    #expect(settings.2 == 1)
    #expect(settings.3 == 5000)
  }

  @Test("readers are query-only with the configured busy timeout")
  func readerPragmas() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let options = StoreOptions(busyTimeout: .milliseconds(250), readerCount: 3)
    let store = try await Store.open(path: directory.file("db"), options: options)
    defer { store.close() }

    let settings = try await store.read { db in
      (
        try db.queryOne("PRAGMA query_only")?[0].int,
        try db.queryOne("PRAGMA journal_mode")?[0].string,
        try db.queryOne("PRAGMA busy_timeout")?[0].int,
        db.isReadOnly
      )
    }
    #expect(settings.0 == 1)
    #expect(settings.1 == "wal")
    #expect(settings.2 == 250)
    #expect(settings.3)
    #expect(store.options.readerCount == 3)
  }

  @Test("reader rejects writes")
  func readerRejectsWrites() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let store = try await Store.open(
      path: directory.file("db"), migrations: [Migration(version: 1, sql: "CREATE TABLE t (x);")])
    defer { store.close() }

    let error = await #expect(throws: StoreError.self) {
      try await store.read { db in try db.execute("INSERT INTO t VALUES (1)") }
    }
    // SQLITE_READONLY is 8.
    #expect(error?.code == 8)
    #expect(error?.operation == "sqlite3_step")
  }

  @Test("busy timeout flag parsed in milliseconds")
  func busyTimeoutFlag() {
    #expect(StoreOptions.busyTimeout(milliseconds: "1500") == .milliseconds(1500))
    #expect(StoreOptions.busyTimeout(milliseconds: "-1") == nil)
    #expect(StoreOptions.busyTimeout(milliseconds: "5s") == nil)
  }

  @Test("closed store rejects calls")
  func closedStoreRejects() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let store = try await Store.open(path: directory.file("db"))
    store.close()
    store.close()

    let writeError = await #expect(throws: StoreError.self) {
      try await store.write { _ in 1 }
    }
    #expect(writeError?.message == "store is closed")
    let readError = #expect(throws: StoreError.self) {
      try store.readSync { _ in 1 }
    }
    #expect(readError?.operation == "Store.readSync")
  }
}
