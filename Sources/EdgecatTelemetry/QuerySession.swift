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
  /// The statement over the day figures, for a query whose result they can compute.
  let projection: DayFiguresProjection?
}

/// One query running on a connection: the open statement and the rows sent so far. Each page
/// is read only when the consumer requests it, so a slow consumer keeps at most one page and
/// one row read ahead in memory. Only the connection's thread calls its methods.
final class QuerySession: @unchecked Sendable {
  let connection: QueryConnection
  let cancellation = QueryCancellation()
  let plan: QueryPlan
  private let checked: CheckedExpressions
  var cursor: RowCursor?
  var errors: QueryErrors
  var pending: [SQLValue]?
  var sent: Int64 = 0
  var columnsSent = false
  /// Whether a projection's read transaction is open on the connection.
  var inTransaction = false

  /// The end of the time cap as a `monotonicNanoseconds()` value, counted from when the query
  /// got its connection.
  let deadline: UInt64

  init(plan: QueryPlan, connection: QueryConnection, checked: CheckedExpressions) {
    self.plan = plan
    self.connection = connection
    self.checked = checked
    deadline = QueryConnectionState.deadline(milliseconds: plan.limits.timeoutMilliseconds)
    errors = QueryErrors(
      sql: plan.sql, tokens: [], offsets: [], hosted: plan.hosted,
      referenced: plan.template.tables, timeoutMilliseconds: plan.limits.timeoutMilliseconds)
  }

  /// Binds the caller, starts the time cap, prepares the statement under the authorizer and
  /// returns the first page. A query whose result the day figures can compute reads them
  /// instead of the raw rows, when the caller sees every row unmasked.
  func start(_ database: Database) throws(ServiceError) -> Edgecat_Telemetry_V1_QueryResponse {
    let state = connection.state
    state.identity = plan.identity
    state.cancellation = cancellation
    state.deadline = deadline

    if let projection = plan.projection, access(to: projection.table)?.isUnrestricted == true,
      prepareProjection(projection, database)
    {
      return try nextPage()
    }
    var views: [String] = []
    for table in plan.template.tables {
      guard let access = access(to: table) else {
        throw .permissionDenied(
          "principal \(plan.identity.principal) may not read \(QueryToken.fold(table.fullName)); "
            + "ask its owner for SELECT on it and USE_CATALOG and USE_SCHEMA on its parents")
      }
      views.append(
        try QueryView.select(
          of: table, access: access, schema: plan.schema, now: plan.now, checked: checked))
    }
    try prepare(plan.template.statement(views: views), tables: plan.template.tables, database)
    return try nextPage()
  }

  /// Returns the caller's row filter and masks on `table`, or nil when it may not read it.
  func access(to table: HostedTable) -> TableAccess? {
    let name = QueryToken.fold(table.fullName)
    return plan.access[name] ?? plan.access.first { QueryToken.fold($0.key) == name }?.value
  }

  /// Opens the cursor of `tokens` under an authorizer that allows reading `tables` through
  /// their generated views.
  func prepare(_ tokens: [QueryToken], tables: [HostedTable], _ database: Database)
    throws(ServiceError)
  {
    let (sql, offsets) = QueryLexer.join(tokens)
    errors = QueryErrors(
      sql: plan.sql, tokens: tokens, offsets: offsets, hosted: plan.hosted,
      referenced: plan.template.tables, timeoutMilliseconds: plan.limits.timeoutMilliseconds)

    let authorizer = QueryAuthorizer(
      tables: tables, schema: plan.schema,
      databaseTables: try Self.tableNames(database, schema: plan.schema))
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
  }

  /// Returns the lower-case names of the tables and views of the database attached as
  /// `schema`.
  static func tableNames(_ database: Database, schema: String) throws(ServiceError)
    -> Set<String>
  {
    do {
      let rows = try database.query(
        "SELECT lower(name) FROM \(QueryToken.quoted(schema)).sqlite_master"
          + " WHERE type IN ('table', 'view')")
      return Set(rows.compactMap { $0[0].string })
    } catch {
      throw ServiceError(code: .internal, message: "the table list could not be read: \(error)")
    }
  }

  /// Closes the statement, removes the authorizer and clears the caller. Safe to call twice.
  func finish(_ database: Database) {
    cursor?.close()
    cursor = nil
    pending = nil
    database.removeAuthorizer()
    endTransaction(database)
    connection.state.reset()
  }
}
