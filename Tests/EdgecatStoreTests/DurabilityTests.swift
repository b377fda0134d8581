import EdgecatStore
import EdgecatTestSupport
import Glibc
import Testing

@Suite("Durability")
struct DurabilityTests {
  static let schema = [Migration(version: 1, sql: "CREATE TABLE log (id INTEGER PRIMARY KEY, v);")]

  @Test("acknowledged writes are in the files while the store is open")
  func filesHoldAcknowledgedWrites() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.file("db")
    let store = try await Store.open(path: path, migrations: Self.schema)
    defer { store.close() }
    for value in 0..<20 {
      try await store.write { db in
        try db.execute("INSERT INTO log (v) VALUES (?)", SQLValue(value))
      }
    }

    // Copying the files without closing the store gives what a kill -9 would leave behind.
    let copy = directory.file("copy")
    #expect(copyFile(path, copy))
    #expect(copyFile(path + "-wal", copy + "-wal"))
    let database = try Database(path: copy)
    defer { database.close() }
    #expect(try database.queryOne("SELECT count(*), sum(v) FROM log")?[0].int == 20)
    #expect(try database.queryOne("SELECT sum(v) FROM log")?[0].int == 190)
  }

  @Test("unsynced writes skip the fsync")
  func unsyncedWrites() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.file("db")
    let store = try await Store.open(path: path, migrations: Self.schema)
    defer { store.close() }
    // PRAGMA synchronous reads 1 for NORMAL, which commits without an fsync in WAL mode, and
    // 2 for FULL.
    let synchronous: @Sendable (Database) throws -> Int? = { db in
      try db.execute("INSERT INTO log (v) VALUES ('row')")
      return try db.queryOne("PRAGMA synchronous")?[0].int
    }
    #expect(try await store.write(durability: .unsynced, synchronous) == 1)
    #expect(try await store.write(synchronous) == 2)
    #expect(try await store.write(durability: .unsynced, synchronous) == 1)

    // Both queue behind a write that keeps the writer thread busy, so they share one commit.
    let blocker = try await WriterBlocker.start(store)
    let unsynced = Task { try await store.write(durability: .unsynced, synchronous) }
    let synced = Task { try await store.write(synchronous) }
    while store.pendingWriteCount < 2 { try await Task.sleep(for: .milliseconds(1)) }
    try await blocker.release()
    #expect(try await unsynced.value == 2)
    #expect(try await synced.value == 2)

    // A copy of the files, as a kill -9 would leave them, contains every acknowledged row.
    let copy = directory.file("copy")
    #expect(copyFile(path, copy))
    #expect(copyFile(path + "-wal", copy + "-wal"))
    let database = try Database(path: copy)
    defer { database.close() }
    #expect(try database.queryOne("SELECT count(*) FROM log")?[0].int == 5)
  }

  @Test(
    "another process reads acknowledged writes",
    .enabled(if: fileExists("/usr/bin/sqlite3"), "needs the sqlite3 command-line shell"))
  func otherProcessReads() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.file("db")
    let store = try await Store.open(path: path, migrations: Self.schema)
    defer { store.close() }
    try await store.write { db in
      try db.execute("INSERT INTO log (v) VALUES (?)", "from the store")
    }

    let output = try Self.run(["/usr/bin/sqlite3", path, "SELECT v FROM log;"])
    #expect(output == "from the store\n")
  }

  @Test("close checkpoints and removes the WAL file")
  func closeCheckpoints() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.file("db")
    let store = try await Store.open(path: path, migrations: Self.schema)
    try await store.write { db in try db.execute("INSERT INTO log (v) VALUES ('kept')") }
    #expect(fileExists(path + "-wal"))
    store.close()

    #expect(!fileExists(path + "-wal"))
    let database = try Database(path: path, readOnly: true)
    defer { database.close() }
    #expect(try database.queryOne("SELECT v FROM log")?[0].string == "kept")
  }

  /// Runs `arguments` as a child process and returns its standard output.
  static func run(_ arguments: [String]) throws -> String {
    var pipeEnds: [Int32] = [0, 0]
    #expect(pipe(&pipeEnds) == 0)
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
    posix_spawn_file_actions_addclose(&actions, pipeEnds[0])

    var argv = arguments.map { strdup($0) }
    argv.append(nil)
    defer { for argument in argv { free(argument) } }
    var child = pid_t()
    let result = posix_spawn(&child, arguments[0], &actions, nil, argv, environ)
    close(pipeEnds[1])
    #expect(result == 0)

    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let count = read(pipeEnds[0], &buffer, buffer.count)
      if count <= 0 { break }
      output += buffer[0..<count]
    }
    close(pipeEnds[0])
    var status: Int32 = 0
    waitpid(child, &status, 0)
    #expect(status == 0)
    return String(decoding: output, as: UTF8.self)
  }
}
