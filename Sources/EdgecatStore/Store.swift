import CSQLite
import EdgecatLog
import Glibc
import Synchronization

/// A SQLite database file with one writer connection and a pool of read-only connections, each
/// on a dedicated thread. Thread-safe: async calls suspend the caller while the work runs there.
public final class Store: Sendable {
  public let path: String
  /// The schema version (`PRAGMA user_version`) after the migrations applied at open.
  public let schemaVersion: Int
  public let options: StoreOptions

  let logger: Logger
  let writeQueue = WorkQueue<any WriteJob>()
  let readQueue = WorkQueue<@Sendable (Database) -> Void>()
  let counters = StoreCounters()
  private let threads: [pthread_t]
  private let closed = Atomic<Bool>(false)

  /// Opens or creates the database at `path`, applies pending `migrations` and starts the
  /// connection threads. Blocks the calling thread; from async code use `Store.open`.
  public init(
    path: String, migrations: [Migration] = [], options: StoreOptions = StoreOptions()
  ) throws {
    let logger = Logger(component: "store").with(["path": path])
    let writer = try Database(
      path: path, busyTimeout: options.busyTimeout,
      statementCacheCapacity: options.statementCacheCapacity)
    var readers: [Database] = []
    do {
      try Store.configureWriter(writer)
      schemaVersion = try Migrator.apply(migrations, to: writer)
      for _ in 0..<options.readerCount {
        readers.append(
          try Database(
            path: path, readOnly: true, busyTimeout: options.busyTimeout,
            statementCacheCapacity: options.statementCacheCapacity))
      }
    } catch {
      for reader in readers { reader.close() }
      writer.close()
      logger.error("open failed", ["error": "\(error)"])
      throw error
    }

    self.path = path
    self.options = options
    self.logger = logger
    var threads: [pthread_t] = []
    let readersClosed = CountdownLatch(count: readers.count)
    let loop = WriterLoop(
      database: UncheckedTransfer(writer), queue: writeQueue, maxBatchSize: options.maxBatchSize,
      counters: counters, readersClosed: readersClosed, logger: logger)
    threads.append(DedicatedThread.spawn { loop.run() })
    for reader in readers {
      let transfer = UncheckedTransfer(reader)
      let queue = readQueue
      threads.append(
        DedicatedThread.spawn {
          Store.runReader(transfer.value, queue)
          readersClosed.countDown()
        })
    }
    self.threads = threads
    logger.info(
      "store opened",
      [
        "version": schemaVersion, "readers": readers.count,
        "busy_timeout_ms": Database.milliseconds(options.busyTimeout),
      ])
  }

  /// Opens the store on a dedicated thread, so the caller's cooperative thread does not block.
  public static func open(
    path: String, migrations: [Migration] = [], options: StoreOptions = StoreOptions()
  ) async throws -> Store {
    try await DedicatedThread.run {
      try Store(path: path, migrations: migrations, options: options)
    }
  }

  deinit { shutDown(join: !isStoreThread) }

  /// Runs the queued writes and reads, then stops the threads and closes the connections.
  /// Later calls fail with a MISUSE `StoreError`. Must not be called from inside a store closure.
  public func close() {
    precondition(!isStoreThread, "Store.close called from a store thread would wait for itself")
    shutDown(join: true)
  }

  /// The number of transactions that `write` calls committed since open; several calls may
  /// share one.
  public var commitCount: Int { counters.commits.load(ordering: .relaxed) }

  /// The number of `write` calls queued and not yet started.
  public var pendingWriteCount: Int { writeQueue.pendingCount }

  private func shutDown(join: Bool) {
    let (exchanged, _) = closed.compareExchange(
      expected: false, desired: true, ordering: .acquiringAndReleasing)
    guard exchanged else { return }
    writeQueue.stop()
    readQueue.stop()
    for thread in threads {
      if join {
        DedicatedThread.join(thread)
      } else {
        pthread_detach(thread)
      }
    }
    logger.info("store closed")
  }

  /// True on the writer thread or a reader thread, where a blocking store call would deadlock.
  var isStoreThread: Bool {
    let current = pthread_self()
    return threads.contains { pthread_equal($0, current) != 0 }
  }

  /// Sets WAL with synchronous=FULL, so every commit is fsynced before `write` returns, and
  /// enforces foreign keys.
  private static func configureWriter(_ database: Database) throws {
    let mode = try database.queryOne("PRAGMA journal_mode = WAL")?[0].string
    guard mode?.lowercased() == "wal" else {
      throw StoreError(
        code: SQLITE_ERROR,
        message: "journal_mode is \(mode ?? "unknown") after setting WAL; in-memory and"
          + " read-only databases cannot use WAL",
        operation: "PRAGMA journal_mode", sql: "PRAGMA journal_mode = WAL")
    }
    try database.execute("PRAGMA synchronous = FULL")
    try database.execute("PRAGMA foreign_keys = ON")
  }
}

/// Counters shared between a store and its writer thread. Thread-safe.
final class StoreCounters: Sendable {
  let commits = Atomic<Int>(0)
}

/// Moves a non-Sendable value to the one thread that uses it from then on.
struct UncheckedTransfer<Value>: @unchecked Sendable {
  let value: Value
  init(_ value: Value) { self.value = value }
}
