import EdgecatCore
import EdgecatLog
import EdgecatStore
import EdgecatTestSupport
import Synchronization
import Testing

/// Tests of the read audit queue's flush. A flush returns only after every event queued before
/// it is committed, including those a concurrent flush took, so a listing right after it reads
/// them.
@Suite("Read audit buffer")
struct AuditBufferTests {
  static func event(_ id: String) -> AuditRecord {
    AuditRecord(
      id: id, time: 1, action: "GetTable", principal: "alice@example.com",
      securable: "main.sales.orders", parameters: "{}", result: "OK", requestID: "request-\(id)",
      peer: "127.0.0.1:1")
  }

  /// Opens a store with the audit_events table in `directory`.
  static func openStore(in directory: TemporaryDirectory) async throws -> Store {
    try await Store.open(
      path: directory.file("audit.db"),
      migrations: [Migration(version: 1, sql: AuditTrail.schemaSQL)])
  }

  static func storedIDs(_ store: Store) async throws -> [String] {
    try await store.read { db in
      try db.query("SELECT id FROM audit_events ORDER BY id").map { $0[0].string ?? "" }
    }
  }

  @Test("flush waits for a concurrent flush")
  func flushWaitsForConcurrentFlush() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let store = try await Self.openStore(in: directory)
    defer { store.close() }
    let buffer = AuditBuffer(store: store, logger: Logger(component: "audit-test"))
    let blocker = try await WriterBlocker.start(store)
    buffer.append(Self.event("a"))
    // The first flush plays the timer's part and queues a write behind the blocked writer.
    let first = Task { await buffer.flush() }
    try await Task.sleep(for: .milliseconds(50))
    let released = Atomic<Bool>(false)
    let second = Task { () -> Bool in
      await buffer.flush()
      return released.load(ordering: .acquiring)
    }
    try await Task.sleep(for: .milliseconds(50))
    released.store(true, ordering: .releasing)
    try await blocker.release()
    // A second flush that returned while the writer was still blocked found the queue taken
    // and returned before the first one's events committed.
    #expect(await second.value, "the second flush returned before the writer committed")
    #expect(try await Self.storedIDs(store) == ["a"])
    await first.value
  }

  @Test("flush of an empty queue still waits")
  func emptyFlushWaits() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let store = try await Self.openStore(in: directory)
    defer { store.close() }
    let buffer = AuditBuffer(store: store, logger: Logger(component: "audit-test"))
    buffer.append(Self.event("b"))
    await buffer.flush()
    await buffer.flush()
    #expect(try await Self.storedIDs(store) == ["b"])
  }
}
