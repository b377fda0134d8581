import CSQLite
import EdgecatLog

/// A queued `write` call. Its methods are called on the writer thread only.
protocol WriteJob: AnyObject, Sendable {
  var durability: CommitDurability { get }
  /// Runs the caller's body on the writer connection inside the batch's open transaction.
  func run(_ database: Database) throws
  /// Resumes the caller with the body's value; called after the transaction committed.
  func succeed()
  /// Resumes the caller with `error`; this call's changes are not in the database.
  func fail(_ error: any Error)
}

final class WriteRequest<Value: Sendable>: WriteJob, @unchecked Sendable {
  let durability: CommitDurability
  private let body: @Sendable (Database) throws -> Value
  private let completion: @Sendable (Result<Value, any Error>) -> Void
  // Written and read on the writer thread only.
  private var value: Value?

  init(
    durability: CommitDurability,
    body: @escaping @Sendable (Database) throws -> Value,
    completion: @escaping @Sendable (Result<Value, any Error>) -> Void
  ) {
    self.durability = durability
    self.body = body
    self.completion = completion
  }

  func run(_ database: Database) throws { value = try body(database) }

  func succeed() { completion(.success(value!)) }

  func fail(_ error: any Error) { completion(.failure(error)) }
}

/// The writer thread's loop. Writes queued while a commit is in progress share the next
/// transaction (group commit), each inside its own savepoint, so one fsync covers them all.
/// A transaction commits without an fsync only when every write in it requested `.unsynced`.
struct WriterLoop: Sendable {
  let database: UncheckedTransfer<Database>
  let queue: WorkQueue<any WriteJob>
  let maxBatchSize: Int
  let counters: StoreCounters
  /// Reaches zero when every reader connection is closed.
  let readersClosed: CountdownLatch
  let logger: Logger

  private enum Outcome {
    /// The body returned and its changes wait for the batch's commit.
    case staged
    /// The body threw, and its changes were rolled back to its savepoint.
    case failed(any Error)
    /// The whole transaction is gone, with the changes of the calls staged before.
    case transactionLost(any Error)
  }

  /// Serves the queue until the store stops it, then closes the writer connection after the
  /// readers, because only the last connection to close checkpoints and removes the WAL file.
  func run() {
    var synchronous = SynchronousSetting.full
    while let batch = queue.take(limit: maxBatchSize) {
      guard setSynchronous(for: batch, current: &synchronous) else { continue }
      commit(batch[...])
    }
    readersClosed.wait()
    database.value.close()
  }

  /// Sets `synchronous` to FULL unless every write of `batch` requested `.unsynced`. When SQLite
  /// rejects FULL, fails the whole batch and returns false, because a commit without the fsync
  /// that a write requested would break its promise. A rejected NORMAL only costs time.
  private func setSynchronous(
    for batch: [any WriteJob], current: inout SynchronousSetting
  ) -> Bool {
    let requested: SynchronousSetting =
      batch.allSatisfy { $0.durability == .unsynced } ? .normal : .full
    guard requested != current else { return true }
    do {
      try database.value.execute("PRAGMA synchronous = \(requested.rawValue)")
      current = requested
    } catch {
      logger.error(
        "setting synchronous failed", ["error": "\(error)", "synchronous": requested.rawValue])
      if requested == .full {
        for job in batch { job.fail(error) }
        return false
      }
    }
    return true
  }

  /// SQLite's `synchronous` setting of the writer connection. In WAL mode, NORMAL commits
  /// without an fsync, and the next FULL commit or checkpoint fsyncs the WAL with them.
  private enum SynchronousSetting: String {
    case full = "FULL"
    case normal = "NORMAL"
  }

  /// Runs `jobs` in one transaction. Each caller is resumed only after the COMMIT that contains its
  /// changes succeeded, or with the error that kept them out.
  private func commit(_ jobs: ArraySlice<any WriteJob>) {
    let database = database.value
    do {
      try database.execute("BEGIN IMMEDIATE")
    } catch {
      logger.error("begin failed", ["error": "\(error)", "writes": jobs.count])
      for job in jobs { job.fail(error) }
      return
    }
    var staged: [any WriteJob] = []
    var rest = jobs
    while let job = rest.popFirst() {
      switch runInSavepoint(job, database) {
      case .staged:
        staged.append(job)
      case .failed(let error):
        job.fail(error)
      case .transactionLost(let error):
        // NOTE: the writes staged earlier in this batch fail with SQLITE_ABORT and are not
        // retried, although they did not fail themselves; callers may retry them.
        rollBackIfOpen(database)
        job.fail(error)
        let lost = StoreError(
          code: SQLITE_ABORT, extendedCode: SQLITE_ABORT | (2 << 8),
          message: "transaction was rolled back by a failed write in the same batch: \(error)",
          operation: "Store.write")
        for other in staged { other.fail(lost) }
        logger.error("batch rolled back", ["error": "\(error)", "writes_lost": staged.count])
        commit(rest)
        return
      }
    }
    do {
      try database.execute("COMMIT")
    } catch {
      logger.error("commit failed", ["error": "\(error)", "writes": staged.count])
      rollBackIfOpen(database)
      for job in staged { job.fail(error) }
      return
    }
    counters.commits.add(1, ordering: .relaxed)
    for job in staged { job.succeed() }
  }

  private func runInSavepoint(_ job: any WriteJob, _ database: Database) -> Outcome {
    do {
      try database.execute("SAVEPOINT edgecat_write")
    } catch {
      logger.error("savepoint failed", ["error": "\(error)"])
      return .transactionLost(error)
    }
    do {
      try job.run(database)
    } catch {
      logFailure(error)
      // Some errors, such as SQLITE_FULL or SQLITE_IOERR, make SQLite roll back the whole
      // transaction by itself.
      guard database.isInTransaction else { return .transactionLost(error) }
      do {
        try database.execute("ROLLBACK TO edgecat_write")
        try database.execute("RELEASE edgecat_write")
      } catch let rollbackError {
        logger.error("rollback to savepoint failed", ["error": "\(rollbackError)"])
        return .transactionLost(error)
      }
      return .failed(error)
    }
    guard database.isInTransaction else {
      return .transactionLost(
        StoreError(
          code: SQLITE_MISUSE, message: "write body ended the enclosing transaction",
          operation: "Store.write"))
    }
    do {
      try database.execute("RELEASE edgecat_write")
    } catch {
      logger.error("release savepoint failed", ["error": "\(error)"])
      return .transactionLost(error)
    }
    return .staged
  }

  private func logFailure(_ error: any Error) {
    if error is StoreError {
      logger.warning("write failed", ["error": "\(error)"])
    } else {
      logger.debug("write body threw, changes rolled back", ["error": "\(error)"])
    }
  }

  private func rollBackIfOpen(_ database: Database) {
    guard database.isInTransaction else { return }
    do {
      try database.execute("ROLLBACK")
    } catch {
      logger.error("rollback failed", ["error": "\(error)"])
    }
  }
}
