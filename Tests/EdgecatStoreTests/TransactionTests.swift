import EdgecatStore
import EdgecatTestSupport
import Glibc
import Synchronization
import Testing

@Suite("Transactions and concurrency")
struct TransactionTests {
  static let schema = [
    Migration(
      version: 1,
      sql: "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, size INTEGER);"
    )
  ]

  static func count(_ store: Store) async throws -> Int {
    try await store.read { db in try db.queryOne("SELECT count(*) FROM items")?[0].int ?? -1 }
  }

  @Test("write rolls back when its body throws")
  func rollbackOnThrow() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let store = try await Store.open(path: directory.file("db"), migrations: Self.schema)
    defer { store.close() }

    await #expect(throws: PlannedFailure(id: 1)) {
      try await store.write { db in
        try db.execute("INSERT INTO items (name) VALUES (?)", "kept only in the transaction")
        throw PlannedFailure(id: 1)
      }
    }
    #expect(try await Self.count(store) == 0)
  }

  @Test("concurrent writes from 50 tasks all land")
  func concurrentWrites() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let store = try await Store.open(path: directory.file("db"), migrations: Self.schema)
    defer { store.close() }

    let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
      for task in 0..<50 {
        group.addTask {
          try await store.write { db in
            try db.execute(
              "INSERT INTO items (name, size) VALUES (?, ?)", .text("item \(task)"),
              .integer(Int64(task)))
            return db.lastInsertRowID
          }
        }
      }
      var ids: Set<Int64> = []
      for try await id in group { ids.insert(id) }
      return ids
    }
    #expect(ids.count == 50)
    #expect(try await Self.count(store) == 50)
    #expect(store.commitCount >= 1)
    #expect(store.commitCount <= 50)
  }

  @Test("failed write in a shared commit keeps the others")
  func groupCommitIsolation() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let store = try await Store.open(path: directory.file("db"), migrations: Self.schema)
    defer { store.close() }

    // The blocker keeps the writer thread busy, so the next ten queue up and share one commit.
    let blocker = try await WriterBlocker.start(store)
    let commitsBefore = store.commitCount

    let writes = (0..<10).map { index in
      Task {
        try await store.write { db in
          try db.execute("INSERT INTO items (name) VALUES (?)", .text("write \(index)"))
          if index == 5 { throw PlannedFailure(id: index) }
          return index
        }
      }
    }
    while store.pendingWriteCount < 10 { try await Task.sleep(for: .milliseconds(1)) }
    try await blocker.release()

    for (index, write) in writes.enumerated() {
      let result = await write.result
      if index == 5 {
        #expect(throws: PlannedFailure(id: 5)) { try result.get() }
      } else {
        #expect(try result.get() == index)
      }
    }
    // The ten tasks queue in whatever order the scheduler runs them, so compare as a set.
    let names = try await store.read { db in
      try db.query("SELECT name FROM items ORDER BY name").compactMap { $0["name"].string }
    }
    #expect(names == (0..<10).filter { $0 != 5 }.map { "write \($0)" })
    // One commit for the blocking write and one shared by the ten queued writes.
    #expect(store.commitCount - commitsBefore == 2)
  }

  @Test("readers see committed data during a write")
  func readersDuringWrite() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let store = try await Store.open(path: directory.file("db"), migrations: Self.schema)
    defer { store.close() }
    try await store.write { db in try db.execute("INSERT INTO items (name) VALUES ('committed')") }

    let inserted = Atomic<Bool>(false)
    let release = Atomic<Bool>(false)
    let writer = Task {
      try await store.write { db in
        try db.execute("INSERT INTO items (name) VALUES ('uncommitted')")
        inserted.store(true, ordering: .releasing)
        while !release.load(ordering: .acquiring) { usleep(1000) }
      }
    }
    while !inserted.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(1)) }

    let during = try await store.read { db in
      try db.query("SELECT name FROM items ORDER BY id").compactMap { $0[0].string }
    }
    #expect(during == ["committed"])
    release.store(true, ordering: .releasing)
    try await writer.value
    #expect(try await Self.count(store) == 2)
  }

  @Test("constraint violation reported with its code")
  func constraintViolation() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let store = try await Store.open(path: directory.file("db"), migrations: Self.schema)
    defer { store.close() }
    try await store.write { db in try db.execute("INSERT INTO items (name) VALUES ('one')") }

    let error = await #expect(throws: StoreError.self) {
      try await store.write { db in try db.execute("INSERT INTO items (name) VALUES ('one')") }
    }
    #expect(error?.isConstraintViolation == true)
    #expect(error?.isBusy == false)
    // SQLITE_CONSTRAINT is 19 and SQLITE_CONSTRAINT_UNIQUE is 2067.
    #expect(error?.code == 19)
    #expect(error?.extendedCode == 2067)
    #expect(error?.operation == "sqlite3_step")
    #expect(error?.sql == "INSERT INTO items (name) VALUES ('one')")
    #expect(error?.message.contains("UNIQUE constraint failed: items.name") == true)
    #expect(try await Self.count(store) == 1)
  }

  @Test("second writer on the same file reports busy")
  func busyAcrossStores() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.file("db")
    let first = try await Store.open(path: path, migrations: Self.schema)
    defer { first.close() }
    let options = StoreOptions(busyTimeout: .milliseconds(100))
    let second = try await Store.open(path: path, migrations: Self.schema, options: options)
    defer { second.close() }

    let locked = Atomic<Bool>(false)
    let release = Atomic<Bool>(false)
    let holder = Task {
      try await first.write { db in
        try db.execute("INSERT INTO items (name) VALUES ('first')")
        locked.store(true, ordering: .releasing)
        while !release.load(ordering: .acquiring) { usleep(1000) }
      }
    }
    while !locked.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(1)) }

    let error = await #expect(throws: StoreError.self) {
      try await second.write { db in try db.execute("INSERT INTO items (name) VALUES ('second')") }
    }
    #expect(error?.isBusy == true)
    #expect(error?.operation == "sqlite3_step")
    #expect(error?.sql == "BEGIN IMMEDIATE")
    release.store(true, ordering: .releasing)
    try await holder.value
    try await second.write { db in try db.execute("INSERT INTO items (name) VALUES ('second')") }
    #expect(try await Self.count(second) == 2)
  }

  @Test("synchronous variants from a plain thread")
  func synchronousVariants() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let store = try Store(path: directory.file("db"), migrations: Self.schema)
    defer { store.close() }

    let id = try store.writeSync { db in
      try db.execute("INSERT INTO items (name, size) VALUES (?, ?)", "sync", 7)
      return db.lastInsertRowID
    }
    let size = try store.readSync { db in
      try db.queryOne("SELECT size FROM items WHERE id = ?", .integer(id))?["size"].int
    }
    #expect(size == 7)
  }
}
