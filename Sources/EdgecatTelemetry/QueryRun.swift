import EdgecatCore
import EdgecatProto
import EdgecatStore
import Synchronization

/// The consumer side of one query: it plans the query, takes a connection on the first page,
/// runs a job on the connection's thread for each page and gives the connection back after the last
/// page, an error, or when the stream is dropped. Thread-safe; the stream calls `next` once
/// at a time.
final class QueryRun: Sendable {
  private enum Phase: Sendable {
    case planned
    case running(QuerySession)
    case done
  }

  private let engine: QueryEngine
  private let sql: String
  private let limits: QueryLimits
  private let access: [String: TableAccess]
  private let identity: QueryIdentity
  private let phase = Mutex(Phase.planned)

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
    guard case .running(let session) = phase.withLock({ $0 }) else { return }
    let pool = engine.pool
    session.connection.thread.submit { database in
      session.finish(database)
      pool.release(session.connection)
    }
  }

  /// Returns the next page, or nil after the last one or an error.
  func next() async throws -> Edgecat_Telemetry_V1_QueryResponse? {
    switch phase.withLock({ $0 }) {
    case .done:
      return nil
    case .running(let session):
      return try await page(of: session) { session, _ throws(ServiceError) in
        try session.nextPage()
      }
    case .planned:
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
      phase.withLock { $0 = .running(session) }
      return try await page(of: session) { session, database throws(ServiceError) in
        try session.start(database)
      }
    }
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
      throw ServiceError(code: .internal, message: "query engine is closed")
    }

    switch result {
    case .success(let response):
      if response.last {
        await finish(session)
        engine.logger.debug(
          "query finished",
          [
            "principal": identity.principal, "rows": response.rowCount,
            "truncated": response.truncated,
          ])
      }
      return response
    case .failure(let error):
      await finish(session)
      engine.logger.debug("query failed", ["principal": identity.principal, "error": error])
      if Task.isCancelled { throw CancellationError() }
      throw error
    }
  }

  private func finish(_ session: QuerySession) async {
    phase.withLock { $0 = .done }
    _ = try? await session.connection.thread.run { database in session.finish(database) }
    engine.pool.release(session.connection)
  }
}
