import EdgecatStore

/// The allowlist authorizer installed while a query is prepared and run. It allows SELECTs,
/// recursive CTEs, the allowed functions, and reads of a raw table's columns only from inside
/// that table's generated view and from the attached schema. It denies everything else, such as
/// other tables, `sqlite_master`, table-valued functions, PRAGMA, ATTACH and writes, and keeps
/// the first denied request for the error message. Used on one connection's thread only.
final class QueryAuthorizer {
  /// The generated view name (unquoted) to the raw table it may read and that table's columns.
  private let views: [String: (rawTable: String, columns: Set<String>)]
  private let rawTables: Set<String>
  private let schema: String
  /// The lower-case names of every table and view in the service's database, and of SQLite's
  /// schema tables, which no query may name.
  private let databaseTables: Set<String>
  private(set) var firstDenial: AuthorizerRequest?

  init(tables: [HostedTable], schema: String, databaseTables: Set<String>) {
    var views: [String: (rawTable: String, columns: Set<String>)] = [:]
    for table in tables {
      views[QueryToken.fold(table.fullName)] = (table.rawTable, Set(table.columns))
    }
    self.views = views
    rawTables = Set(tables.map(\.rawTable))
    self.schema = schema
    self.databaseTables = databaseTables.union(Self.schemaTables)
  }

  static let schemaTables: Set<String> = [
    "sqlite_master", "sqlite_schema", "sqlite_temp_master", "sqlite_temp_schema",
  ]

  func authorize(_ request: AuthorizerRequest) -> AuthorizerDecision {
    let allowed: Bool
    switch request.action {
    case .select, .recursive:
      allowed = true
    case .read:
      let table = request.tableName ?? ""
      let column = request.columnName ?? ""
      if column.isEmpty {
        // For a table or CTE that is named but none of whose columns is read, as in count(*),
        // SQLite 3.40 passes an empty column, no view name and, for a table found by an
        // unqualified name, no schema either. No value is read then, but the row count of a
        // table of the service's database would leak, so only CTEs, subqueries and the raw
        // tables that generated views name pass.
        if rawTables.contains(table) {
          allowed = request.databaseName == nil || request.databaseName == schema
        } else {
          allowed =
            request.databaseName == nil && !databaseTables.contains(table.lowercased())
        }
      } else if let view = request.triggerOrViewName.flatMap({ views[$0] }) {
        // SQLite passes the CTE whose body reads the table as the view name.
        allowed =
          request.databaseName == schema && table == view.rawTable
          && view.columns.contains(column)
      } else {
        allowed = false
      }
    case .function:
      allowed = QueryFunctions.allowed.contains(QueryToken.fold(request.functionName ?? ""))
    default:
      allowed = false
    }
    if !allowed && firstDenial == nil { firstDenial = request }
    return allowed ? .allow : .deny
  }
}
