import EdgecatCore
import EdgecatStore
import Glibc
import Synchronization

/// One read-only query connection on its own dedicated thread. The database file is attached a
/// second time under a schema name that no query can spell, and generated views read the raw
/// tables from there only.
final class QueryConnection: Sendable {
  let thread: DatabaseThread
  let state: QueryConnectionState

  /// The maximum bytes of a string or blob that a query builds, so that no value can outgrow a
  /// response message.
  static let maxValueBytes: Int32 = 1 << 20
  /// How many SQLite virtual machine steps pass between checks of the time cap.
  static let progressInterval: Int32 = 1000

  init(path: String, schema: String) throws {
    let state = QueryConnectionState()
    thread = try DatabaseThread {
      let database = try Database(path: path, readOnly: true, statementCacheCapacity: 16)
      do {
        try database.execute("ATTACH DATABASE ? AS \(QueryToken.quoted(schema))", .text(path))
        try database.disableDoubleQuotedStringLiterals()
        try database.setLimit(.length, QueryConnection.maxValueBytes)
        try QueryFunctions.install(on: database, state: state)
        try database.setProgressHandler(instructions: QueryConnection.progressInterval) {
          state.shouldInterrupt()
        }
      } catch {
        database.close()
        throw error
      }
      return database
    }
    self.state = state
  }
}

/// The state that a query connection's SQL functions and progress handler read: the caller and
/// the time cap of the running query. Only the connection's thread uses it.
final class QueryConnectionState: @unchecked Sendable {
  var identity: QueryIdentity?
  /// The time cap as a `monotonicNanoseconds()` value; `UInt64.max` for none.
  var deadline = UInt64.max
  var cancellation: QueryCancellation?

  /// Returns the end of a time cap of `milliseconds` from now; a cap whose end does not fit
  /// in 64 bits is `UInt64.max`, no cap.
  static func deadline(milliseconds: Int64) -> UInt64 {
    let (nanoseconds, overflow) = UInt64(clamping: milliseconds)
      .multipliedReportingOverflow(by: 1_000_000)
    let (end, endOverflow) = monotonicNanoseconds().addingReportingOverflow(nanoseconds)
    return overflow || endOverflow ? .max : end
  }

  /// True once the query is past its time cap or its consumer went away.
  func shouldInterrupt() -> Bool {
    (cancellation?.isCancelled ?? false) || monotonicNanoseconds() >= deadline
  }

  /// Clears the finished query's caller and caps.
  func reset() {
    identity = nil
    deadline = .max
    cancellation = nil
  }
}

/// A flag that a query's consumer sets from any thread to stop the query. Thread-safe.
final class QueryCancellation: Sendable {
  private let flag = Atomic<Bool>(false)

  var isCancelled: Bool { flag.load(ordering: .relaxed) }

  func cancel() { flag.store(true, ordering: .relaxed) }
}

/// Nanoseconds from `CLOCK_MONOTONIC`, which the time cap is measured with.
func monotonicNanoseconds() -> UInt64 {
  var now = timespec()
  clock_gettime(CLOCK_MONOTONIC, &now)
  return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

/// The query connections and the callers waiting for one, served in arrival order.
/// Thread-safe.
final class QueryConnectionPool: Sendable {
  private struct State {
    var idle: [QueryConnection]
    var waiters: [CheckedContinuation<QueryConnection, Never>] = []
  }

  let all: [QueryConnection]
  private let state: Mutex<State>

  init(_ connections: [QueryConnection]) {
    all = connections
    state = Mutex(State(idle: connections))
  }

  /// Returns an idle connection, waiting for one when all are in use. The caller owns it until
  /// `release`.
  func acquire() async -> QueryConnection {
    await withCheckedContinuation { continuation in
      let idle: QueryConnection? = state.withLock { state in
        guard let connection = state.idle.popLast() else {
          state.waiters.append(continuation)
          return nil
        }
        return connection
      }
      if let idle { continuation.resume(returning: idle) }
    }
  }

  func release(_ connection: QueryConnection) {
    let waiter: CheckedContinuation<QueryConnection, Never>? = state.withLock { state in
      guard !state.waiters.isEmpty else {
        state.idle.append(connection)
        return nil
      }
      return state.waiters.removeFirst()
    }
    waiter?.resume(returning: connection)
  }
}
