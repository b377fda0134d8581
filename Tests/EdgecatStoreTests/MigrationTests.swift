import EdgecatStore
import EdgecatTestSupport
import Testing

@Suite("Schema migrations")
struct MigrationTests {
  static let base = [
    Migration(version: 1, sql: "CREATE TABLE events (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"),
    Migration(version: 2, sql: "INSERT INTO events (name) VALUES ('second');"),
    Migration(
      version: 3,
      sql: """
        INSERT INTO events (name) VALUES ('third');
        CREATE INDEX events_name ON events (name);
        """),
  ]

  @Test("migrations applied once in order")
  func appliedInOrder() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let store = try await Store.open(path: directory.file("db"), migrations: Self.base)
    defer { store.close() }

    #expect(store.schemaVersion == 3)
    let names = try await store.read { db in
      try db.query("SELECT name FROM events ORDER BY id").map { $0[0].string }
    }
    #expect(names == ["second", "third"])
    let version = try await store.read { db in try db.queryOne("PRAGMA user_version")?[0].int }
    #expect(version == 3)
  }

  @Test("reopen does not reapply migrations")
  func reopenSkipsApplied() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.file("db")
    try Store(path: path, migrations: Self.base).close()

    let added = Self.base + [Migration(version: 4, sql: "INSERT INTO events (name) VALUES ('4');")]
    let store = try Store(path: path, migrations: added)
    defer { store.close() }
    #expect(store.schemaVersion == 4)
    let names = try store.readSync { db in
      try db.query("SELECT name FROM events ORDER BY id").map { $0["name"].string }
    }
    #expect(names == ["second", "third", "4"])
  }

  @Test("failing migration rolls back all pending ones")
  func failingMigrationRollsBack() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.file("db")
    try Store(path: path, migrations: Array(Self.base.prefix(1))).close()

    let broken = Self.base + [Migration(version: 4, sql: "INSERT INTO missing_table VALUES (1);")]
    let error = #expect(throws: StoreError.self) {
      try Store(path: path, migrations: broken)
    }
    #expect(error?.migration == 4)
    #expect(error?.code == 1)
    #expect(error?.description.contains("migration 4") == true)
    #expect(error?.message.contains("missing_table") == true)

    let raw = try Database(path: path, readOnly: true)
    defer { raw.close() }
    #expect(try raw.queryOne("PRAGMA user_version")?[0].int == 1)
    #expect(try raw.queryOne("SELECT count(*) FROM events")?[0].int == 0)
    let index = try raw.queryOne("SELECT count(*) FROM sqlite_schema WHERE name = 'events_name'")
    #expect(index?[0].int == 0)
  }

  @Test("database newer than code rejected")
  func newerDatabaseRejected() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.file("db")
    try Store(path: path, migrations: Self.base).close()

    let error = #expect(throws: StoreError.self) {
      try Store(path: path, migrations: Array(Self.base.prefix(2)))
    }
    #expect(error?.message.contains("version 3 is newer than this code's version 2") == true)
  }

  @Test("unordered migration versions rejected")
  func unorderedVersionsRejected() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let migrations = [Self.base[1], Self.base[0]]
    let error = #expect(throws: StoreError.self) {
      try Store(path: directory.file("db"), migrations: migrations)
    }
    #expect(error?.message.contains("1 follows 2") == true)
  }
}
