import EdgecatCore

extension QueryRun {
  /// Returns a task that closes the statement of a query sitting between pages past its time
  /// cap, so that a consumer that stops reading cannot keep the connection. A page that is being
  /// read stops at the cap by itself, through the progress handler. The task holds the run
  /// weakly, so that dropping the stream still releases the connection at once.
  func watchdog(for session: QuerySession) -> Task<Void, Never> {
    Task { [weak self] in
      let now = monotonicNanoseconds()
      var pause = session.deadline > now ? session.deadline - now : 0
      while !Task.isCancelled {
        if pause > 0 { try? await Task.sleep(for: .nanoseconds(Int64(clamping: pause))) }
        guard let expired = self?.expireIfIdle(session), !expired else { return }
        // A page is being read and stops at the cap; check again shortly after.
        pause = 10_000_000
      }
    }
  }

  /// Gives the connection back if the query is between pages. Returns true then, false while
  /// a page is being read, and nil once the query is over.
  private func expireIfIdle(_ session: QuerySession) -> Bool? {
    let expired = phase.withLock { phase -> Bool? in
      switch phase {
      case .idle:
        phase = .expired(QueryErrors.deadlineExceeded(milliseconds: limits.timeoutMilliseconds))
        return true
      case .busy: return false
      default: return nil
      }
    }
    if expired == true {
      engine.logger.debug("query expired between pages", ["principal": identity.principal])
      release(session)
    }
    return expired
  }

  func release(_ session: QuerySession) {
    let pool = engine.pool
    let submitted = session.connection.thread.submit { database in
      session.finish(database)
      pool.release(session.connection)
    }
    if !submitted { pool.release(session.connection) }
  }
}
