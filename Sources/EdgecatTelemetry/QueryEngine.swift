import EdgecatCore
import EdgecatCrypto
import EdgecatLog
import EdgecatProto
import EdgecatStore

/// The governed SQL query engine over the tables the telemetry service hosts. The engine
/// rewrites each hosted three-part name in a query into the caller's view of the table, with the
/// row filter and column masks applied. Queries run on read-only connections under an allowlist
/// authorizer with a row cap and a time cap. Thread-safe.
public final class QueryEngine: Sendable {
  public let tables: [HostedTable]
  let clock: @Sendable () -> Double
  let pool: QueryConnectionPool
  /// The schema under which the connections attach the database: random, so that no query can
  /// name it, and rejected by the rewrite besides.
  let schema: String
  let checked = CheckedExpressions()
  let logger = Logger(component: "query")

  /// Opens `connections` read-only connections to the database at `path`, each on its own
  /// dedicated thread. The database must exist in WAL mode, as the service's `Store` creates
  /// it. `clock` returns seconds since the Unix epoch, which `current_timestamp()` reads.
  public init(
    path: String, tables: [HostedTable], connections: Int = 2,
    clock: @escaping @Sendable () -> Double
  ) throws {
    self.tables = tables
    self.clock = clock
    schema = "edgecat_source_" + Hex.encode(try SecureRandom.bytes(count: 16))
    var opened: [QueryConnection] = []
    do {
      for _ in 0..<max(1, connections) {
        opened.append(try QueryConnection(path: path, schema: schema))
      }
    } catch {
      for connection in opened { connection.thread.close() }
      throw error
    }
    pool = QueryConnectionPool(opened)
    logger.info("query engine started", ["connections": opened.count, "tables": tables.count])
  }

  /// Stops the connection threads after the jobs queued on them. Queries that run afterwards
  /// fail with INTERNAL. Must not be called from a job on a query connection.
  public func close() {
    for connection in pool.all { connection.thread.close() }
    logger.info("query engine stopped")
  }

  /// Runs one read-only SELECT over the hosted tables as visible to `identity`. `access` maps
  /// each hosted full name in lower case to the caller's row filter and masks; a table without
  /// an entry is PERMISSION_DENIED. `limits` are applied as given, so a row cap of 0 returns
  /// no rows and marks the result truncated when it has any.
  ///
  /// The stream pulls: each page is read from SQLite only when the consumer requests the next
  /// element, so a slow consumer makes the engine hold one page and one row at most. The first
  /// page carries the column names; the last has `last`, `truncated` and `row_count`.
  ///
  /// Errors are `ServiceError`s. A query that is not one SELECT or does not prepare is
  /// INVALID_ARGUMENT, and a table that is not hosted is NOT_FOUND. Anything the query may not
  /// read is PERMISSION_DENIED. Past the time cap the query ends with DEADLINE_EXCEEDED, and a
  /// filter or mask that cannot be applied is FAILED_PRECONDITION. The row cap truncates
  /// instead of failing.
  ///
  /// The time cap runs from when the query gets a connection, including time the consumer
  /// takes between pages. Cancelling the consuming task or dropping the stream stops the query
  /// at once, and a consumer that stops requesting pages loses its connection at the time cap.
  public func run(
    sql: String, limits: QueryLimits, access: [String: TableAccess], identity: QueryIdentity
  ) -> AsyncThrowingStream<Edgecat_Telemetry_V1_QueryResponse, any Error> {
    let run = QueryRun(
      engine: self, sql: sql, limits: limits, access: access, identity: identity)
    return AsyncThrowingStream(unfolding: { try await run.next() })
  }

  /// Rewrites `sql` for a query that starts now; throws the query's INVALID_ARGUMENT or
  /// NOT_FOUND errors.
  func plan(
    sql: String, limits: QueryLimits, access: [String: TableAccess], identity: QueryIdentity
  ) throws(ServiceError) -> QueryPlan {
    guard limits.maxRows >= 0, limits.timeoutMilliseconds > 0 else {
      throw .invalidArgument(
        "query limits max_rows \(limits.maxRows) and timeout_ms \(limits.timeoutMilliseconds) "
          + "are invalid; use a row cap of 0 or more and a time cap above 0")
    }
    let now = clock()
    let template = try QueryRewriter(tables: tables, sourceSchema: schema, now: now)
      .rewrite(sql)
    return QueryPlan(
      sql: sql, template: template, access: access, identity: identity, limits: limits,
      now: now, schema: schema, hosted: tables, projection: DayFiguresProjection.match(template))
  }
}
