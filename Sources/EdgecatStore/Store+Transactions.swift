import EdgecatLog

extension Store {
  /// Runs `body` in a transaction on the writer thread and resumes after its changes are
  /// committed, and fsynced unless `durability` is `.unsynced`. A thrown error rolls back only
  /// this call's changes and is rethrown. The body must not run BEGIN, COMMIT or ROLLBACK
  /// itself, but may use SAVEPOINTs. A queued write runs even when the calling task is
  /// cancelled.
  public func write<T: Sendable>(
    durability: CommitDurability = .synced,
    _ body: @escaping @Sendable (Database) throws -> T
  ) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
      let job = WriteRequest(durability: durability, body: body) {
        continuation.resume(with: $0)
      }
      if !writeQueue.enqueue(job) {
        continuation.resume(throwing: StoreError.closed("Store.write"))
      }
    }
  }

  /// Blocks the calling thread until `body` ran and committed as `write` does.
  /// For code on a dedicated thread; calling it from a store closure is a precondition failure.
  public func writeSync<T: Sendable>(
    durability: CommitDurability = .synced,
    _ body: @escaping @Sendable (Database) throws -> T
  ) throws -> T {
    precondition(!isStoreThread, "Store.writeSync called from a store thread")
    let result = BlockingResult<T>()
    let job = WriteRequest(durability: durability, body: body) { result.set($0) }
    guard writeQueue.enqueue(job) else { throw StoreError.closed("Store.writeSync") }
    return try result.wait()
  }

  /// Runs `body` in a read transaction on a reader thread, so it reads one committed snapshot.
  /// The connection is read-only, and writes from `body` fail with SQLITE_READONLY.
  public func read<T: Sendable>(
    _ body: @escaping @Sendable (Database) throws -> T
  ) async throws -> T {
    let logger = self.logger
    return try await withCheckedThrowingContinuation { continuation in
      let job: @Sendable (Database) -> Void = { database in
        continuation.resume(with: Result { try Store.inReadTransaction(database, logger, body) })
      }
      if !readQueue.enqueue(job) {
        continuation.resume(throwing: StoreError.closed("Store.read"))
      }
    }
  }

  /// Blocks the calling thread until `body` ran as `read` does.
  /// For code on a dedicated thread; calling it from a store closure is a precondition failure.
  public func readSync<T: Sendable>(
    _ body: @escaping @Sendable (Database) throws -> T
  ) throws -> T {
    precondition(!isStoreThread, "Store.readSync called from a store thread")
    let logger = self.logger
    let result = BlockingResult<T>()
    let job: @Sendable (Database) -> Void = { database in
      result.set(Result { try Store.inReadTransaction(database, logger, body) })
    }
    guard readQueue.enqueue(job) else { throw StoreError.closed("Store.readSync") }
    return try result.wait()
  }

  static func runReader(_ database: Database, _ queue: WorkQueue<@Sendable (Database) -> Void>) {
    while let jobs = queue.take(limit: 1) {
      for job in jobs { job(database) }
    }
    database.close()
  }

  static func inReadTransaction<T>(
    _ database: Database, _ logger: Logger, _ body: (Database) throws -> T
  ) throws -> T {
    do {
      try database.execute("BEGIN")
      let value = try body(database)
      try database.execute("COMMIT")
      return value
    } catch {
      logger.warning("read failed", ["error": "\(error)"])
      if database.isInTransaction {
        do {
          try database.execute("ROLLBACK")
        } catch {
          logger.error("rollback failed", ["error": "\(error)"])
        }
      }
      throw error
    }
  }
}
