import EdgecatCore
import EdgecatProto
import EdgecatStore

/// The inputs of one query once it has a connection: the rewritten statement, the caller and
/// the caps.
struct QueryPlan: Sendable {
  let sql: String
  let template: QueryTemplate
  let access: [String: TableAccess]
  let identity: QueryIdentity
  let limits: QueryLimits
  let now: Double
  let schema: String
  let hosted: [HostedTable]
}

/// One query running on a connection: the open statement and the rows sent so far. Each page
/// is read only when the consumer requests it, so a slow consumer holds at most one page and
/// one row read ahead. Only the connection's thread calls its methods.
final class QuerySession: @unchecked Sendable {
  let connection: QueryConnection
  let cancellation = QueryCancellation()
  private let plan: QueryPlan
  private let checked: CheckedExpressions
  private var cursor: RowCursor?
  private var errors: QueryErrors
  private var pending: [SQLValue]?
  private var sent: Int64 = 0
  private var columnsSent = false

  /// The bytes of rows after which a page is sent before it has `pageSize` rows, well below
  /// the 4 MiB message limit.
  static let pageBytes = 1 << 20
  /// The largest row a page may carry, in bytes.
  static let maxRowBytes = 3 << 20

  init(plan: QueryPlan, connection: QueryConnection, checked: CheckedExpressions) {
    self.plan = plan
    self.connection = connection
    self.checked = checked
    errors = QueryErrors(
      sql: plan.sql, tokens: [], offsets: [], hosted: plan.hosted,
      referenced: plan.template.tables, timeoutMilliseconds: plan.limits.timeoutMilliseconds)
  }

  /// Binds the caller, starts the time cap, prepares the statement under the authorizer and
  /// returns the first page.
  func start(_ database: Database) throws(ServiceError) -> Edgecat_Telemetry_V1_QueryResponse {
    let state = connection.state
    state.identity = plan.identity
    state.cancellation = cancellation
    let nanoseconds = UInt64(clamping: plan.limits.timeoutMilliseconds).multipliedReportingOverflow(
      by: 1_000_000)
    state.deadline =
      nanoseconds.overflow ? .max : monotonicNanoseconds() &+ nanoseconds.partialValue

    var views: [String] = []
    for table in plan.template.tables {
      let name = QueryToken.fold(table.fullName)
      guard let access = plan.access[name] else {
        throw .permissionDenied(
          "principal \(plan.identity.principal) may not read \(name); ask its owner for SELECT "
            + "on it and USE_CATALOG and USE_SCHEMA on its parents")
      }
      views.append(
        try QueryView.select(
          of: table, access: access, schema: plan.schema, now: plan.now, checked: checked))
    }
    let tokens = plan.template.statement(views: views)
    let (sql, offsets) = QueryLexer.join(tokens)
    errors = QueryErrors(
      sql: plan.sql, tokens: tokens, offsets: offsets, hosted: plan.hosted,
      referenced: plan.template.tables, timeoutMilliseconds: plan.limits.timeoutMilliseconds)

    let authorizer = QueryAuthorizer(tables: plan.template.tables, schema: plan.schema)
    do {
      try database.setAuthorizer(authorizer.authorize)
      cursor = try database.openCursor(sql)
    } catch let error as StoreError {
      throw errors.prepareFailure(error, denial: authorizer.firstDenial)
    } catch {
      throw ServiceError(code: .internal, message: "query could not be prepared: \(error)")
    }
    guard cursor?.isReadOnly == true, cursor?.parameterCount == 0 else {
      throw .invalidArgument("query is not a read-only SELECT without parameters; send one")
    }
    return try nextPage()
  }

  /// Returns the next page; the last one has `last` set.
  func nextPage() throws(ServiceError) -> Edgecat_Telemetry_V1_QueryResponse {
    guard let cursor else {
      throw ServiceError(code: .internal, message: "query has no open statement")
    }
    if connection.state.shouldInterrupt() {
      throw cancellation.isCancelled
        ? ServiceError(code: .internal, message: "query was cancelled")
        : errors.deadlineExceeded()
    }

    var response = Edgecat_Telemetry_V1_QueryResponse()
    if !columnsSent {
      response.columns = cursor.columnNames
      columnsSent = true
    }
    let pageSize = max(1, plan.limits.pageSize)
    var bytes = 0
    var truncated = false
    var done = false
    while !done && response.rows.count < pageSize && bytes < Self.pageBytes {
      if sent + Int64(response.rows.count) >= plan.limits.maxRows {
        truncated = try fetch(cursor) != nil
        done = true
      } else if let values = try fetch(cursor) {
        let size = QueryValues.estimatedBytes(values)
        guard size <= Self.maxRowBytes else {
          throw .invalidArgument(
            "row \(sent + Int64(response.rows.count) + 1) of the result has about \(size) "
              + "bytes, more than the \(Self.maxRowBytes) a row may have; select fewer or "
              + "shorter columns")
        }
        bytes += size
        response.rows.append(QueryValues.row(values))
      } else {
        done = true
      }
    }
    if !done {
      // Reads one row ahead, so that the page that ends the result is marked last.
      if sent + Int64(response.rows.count) >= plan.limits.maxRows {
        truncated = try fetch(cursor) != nil
        done = true
      } else {
        pending = try fetch(cursor)
        done = pending == nil
      }
    }
    sent += Int64(response.rows.count)
    if done {
      response.last = true
      response.truncated = truncated
      response.rowCount = sent
    }
    return response
  }

  /// Closes the statement, removes the authorizer and clears the caller. Safe to call twice.
  func finish(_ database: Database) {
    cursor?.close()
    cursor = nil
    pending = nil
    database.removeAuthorizer()
    connection.state.reset()
  }

  private func fetch(_ cursor: RowCursor) throws(ServiceError) -> [SQLValue]? {
    if let row = pending {
      pending = nil
      return row
    }
    do {
      return try cursor.next()
    } catch let error as StoreError {
      throw errors.runFailure(error, cancelled: cancellation.isCancelled)
    } catch {
      throw ServiceError(code: .internal, message: "query failed: \(error)")
    }
  }
}
