/// The authorizer that `ExpressionCheck` installs: it allows the one SELECT that wraps the
/// expression, reads of the parameter table's columns and calls of the allowed functions, and
/// denies every other action. It keeps the first denied request for the error message.
final class ExpressionAuthorizer {
  let table: String
  /// The declared column names, which SQLite passes to `.read` requests exactly as declared.
  let columns: Set<String>
  /// The allowed function names in ASCII lowercase, as SQLite stores and passes them.
  let functions: Set<String>
  private var selectCount = 0
  private(set) var firstDenial: AuthorizerRequest?

  init(table: String, columns: Set<String>, functions: Set<String>) {
    self.table = table
    self.columns = columns
    self.functions = Set(functions.map(ExpressionCheck.asciiLowercased))
  }

  /// Forgets earlier requests before the next statement is prepared.
  func reset() {
    selectCount = 0
    firstDenial = nil
  }

  func authorize(_ request: AuthorizerRequest) -> AuthorizerDecision {
    let allowed: Bool
    switch request.action {
    case .select:
      selectCount += 1
      allowed = selectCount == 1
    case .read:
      // SQLite 3.40 passes an empty column for a table that the statement names but reads no
      // column of, as for the wrapping SELECT of an expression that uses no parameter. Such a
      // request carries the schema as the FROM clause spells it, so nil for the wrapping SELECT.
      let column = request.columnName ?? ""
      let schema = request.databaseName ?? "main"
      allowed =
        schema == "main" && request.tableName == table
        && (column.isEmpty || columns.contains(column))
    case .function:
      allowed = functions.contains(ExpressionCheck.asciiLowercased(request.functionName ?? ""))
    default:
      allowed = false
    }
    if !allowed && firstDenial == nil { firstDenial = request }
    return allowed ? .allow : .deny
  }
}
