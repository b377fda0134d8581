import EdgecatCore
import EdgecatProto
import EdgecatStore
import Synchronization

/// The consumer side of one query. It plans the query, takes a connection on the first page
/// and runs a job on the connection's thread for each page. It gives the connection back after
/// the last page or an error, at the time cap, or when the stream is dropped. Thread-safe,
/// and the stream calls `next` once at a time.
final class QueryRun: Sendable {
  enum Phase: Sendable {
    case planned
    /// Between pages, with the statement open.
    case idle(QuerySession)
    /// While the connection's thread reads a page.
    case busy(QuerySession)
    /// Past the time cap between pages; the connection was given back.
    case expired(ServiceError)
    case done
  }

  let engine: QueryEngine
  private let sql: String
  let limits: QueryLimits
  private let access: [String: TableAccess]
  let identity: QueryIdentity
  let phase = Mutex(Phase.planned)
  let watchdog = Mutex<Task<Void, Never>?>(nil)

  init(
    engine: QueryEngine, sql: String, limits: QueryLimits, access: [String: TableAccess],
    identity: QueryIdentity
  ) {
    self.engine = engine
    self.sql = sql
    self.limits = limits
    self.access = access
    self.identity = identity
  }

  deinit {
    // The consumer dropped the stream before the last page: close the statement on its thread.
    watchdog.withLock { $0?.cancel() }
    guard case .idle(let session) = phase.withLock({ $0 }) else { return }
    release(session)
  }

  /// Returns the next page, or nil after the last one or an error.
  func next() async throws -> Edgecat_Telemetry_V1_QueryResponse? {
    let current = phase.withLock { phase in
      let current = phase
      switch phase {
      case .idle(let session): phase = .busy(session)
      case .expired: phase = .done
      default: break
      }
      return current
    }
    switch current {
    case .done, .busy:
      return nil
    case .expired(let error):
      throw error
    case .idle(let session):
      return try await page(of: session) { session, _ throws(ServiceError) in
        try session.nextPage()
      }
    case .planned:
      let session = try await startSession()
      return try await page(of: session) { session, database throws(ServiceError) in
        try session.start(database)
      }
    }
  }

  /// Plans the query, waits for a connection and starts the watchdog of the time cap.
  private func startSession() async throws -> QuerySession {
    let plan: QueryPlan
    do {
      plan = try engine.plan(sql: sql, limits: limits, access: access, identity: identity)
    } catch {
      phase.withLock { $0 = .done }
      engine.logger.debug("query rejected", ["principal": identity.principal, "error": error])
      throw error
    }
    let connection = await engine.pool.acquire()
    let session = QuerySession(plan: plan, connection: connection, checked: engine.checked)
    phase.withLock { $0 = .busy(session) }
    let watchdog = watchdog(for: session)
    self.watchdog.withLock { $0 = watchdog }
    return session
  }

  private func page(
    of session: QuerySession,
    _ body:
      @escaping @Sendable (QuerySession, Database) throws(ServiceError) ->
      Edgecat_Telemetry_V1_QueryResponse
  ) async throws -> Edgecat_Telemetry_V1_QueryResponse {
    let result: Result<Edgecat_Telemetry_V1_QueryResponse, ServiceError>
    do {
      result = try await withTaskCancellationHandler {
        try await session.connection.thread.run { database in
          Result { () throws(ServiceError) in try body(session, database) }
        }
      } onCancel: {
        session.cancellation.cancel()
      }
    } catch {
      phase.withLock { $0 = .done }
      engine.logger.error("query engine is closed", ["principal": identity.principal])
      throw ServiceError(code: .internal, message: "query engine is closed")
    }

    switch result {
    case .success(let response) where !response.last:
      phase.withLock { $0 = .idle(session) }
      return response
    case .success(let response):
      await finish(session)
      engine.logger.debug(
        "query finished",
        [
          "principal": identity.principal, "rows": response.rowCount,
          "truncated": response.truncated,
        ])
      return response
    case .failure(let error):
      await finish(session)
      if error.code == .internal {
        engine.logger.error("query failed", ["principal": identity.principal, "error": error])
      } else {
        engine.logger.debug("query failed", ["principal": identity.principal, "error": error])
      }
      if Task.isCancelled { throw CancellationError() }
      throw error
    }
  }

  private func finish(_ session: QuerySession) async {
    phase.withLock { $0 = .done }
    watchdog.withLock { $0?.cancel() }
    _ = try? await session.connection.thread.run { database in session.finish(database) }
    engine.pool.release(session.connection)
  }
}
