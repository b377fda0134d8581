import EdgecatCore
import EdgecatStore

/// Turns SQLite's failures of one query into `ServiceError`s with the position in the query's
/// own text and without the generated SQL.
struct QueryErrors {
  /// The query as its author wrote it.
  let sql: String
  /// The tokens SQLite prepared and their UTF-8 offsets in the prepared text.
  let tokens: [QueryToken]
  let offsets: [Int]
  let hosted: [HostedTable]
  let referenced: [HostedTable]
  let timeoutMilliseconds: Int64

  // SQLite's primary result codes for failures that the query's author can fix.
  private static let userErrorCodes: Set<Int32> = [
    1,  // SQLITE_ERROR, such as a function's error
    18,  // SQLITE_TOOBIG
    20,  // SQLITE_MISMATCH
    25,  // SQLITE_RANGE
  ]

  /// Returns the error for a statement that failed to prepare, preferring the authorizer's
  /// first denial, because SQLite reports every denial as "not authorized".
  func prepareFailure(_ error: StoreError, denial: AuthorizerRequest?) -> ServiceError {
    if let denial { return denied(denial) }
    let tablePrefix = "no such table: "
    if error.message.hasPrefix(tablePrefix) {
      let name = error.message.dropFirst(tablePrefix.count)
      return .notFound(
        "table \(name) not found\(position(of: error)); query \(QueryNames.list(hosted)) by "
          + "its three-part name")
    }
    var message = "invalid query: \(error.message)\(position(of: error))"
    if error.message.hasPrefix("no such column"), !referenced.isEmpty {
      let columns = referenced.map {
        "\(QueryToken.fold($0.fullName)) has " + $0.columns.joined(separator: ", ")
      }
      message += "; " + columns.joined(separator: "; ")
    } else if error.message.hasSuffix("syntax error") || error.message == "incomplete input" {
      message += "; check for a missing operand, operator, quote, comma or parenthesis"
    }
    return .invalidArgument(message)
  }

  /// Returns the error for a statement that failed while it ran.
  func runFailure(_ error: StoreError, cancelled: Bool) -> ServiceError {
    if error.isInterrupt {
      if cancelled { return ServiceError(code: .cancelled, message: "query was cancelled") }
      return deadlineExceeded()
    }
    if Self.userErrorCodes.contains(error.code) {
      var message = "query failed: \(error.message)"
      if error.code == 18 {
        message += "; a value may have at most \(QueryConnection.maxValueBytes) bytes"
      }
      return .invalidArgument(message)
    }
    return ServiceError(
      code: .internal,
      message: "query failed in the telemetry database: \(error.message) (SQLite code "
        + "\(error.extendedCode))")
  }

  func deadlineExceeded() -> ServiceError {
    Self.deadlineExceeded(milliseconds: timeoutMilliseconds)
  }

  static func deadlineExceeded(milliseconds: Int64) -> ServiceError {
    .deadlineExceeded(
      "query ran past its time cap of \(milliseconds) ms and was stopped; narrow it with WHERE "
        + "or LIMIT, or request a larger timeout_ms within the service's cap")
  }

  private func denied(_ request: AuthorizerRequest) -> ServiceError {
    let hostedList = QueryNames.list(hosted)
    switch request.action {
    case .read:
      let table = request.tableName ?? ""
      if hosted.contains(where: { $0.rawTable == table }) {
        return .permissionDenied(
          "query reads the raw table \(table) directly; query \(hostedList) by its three-part "
            + "name, which applies the row filter and column masks")
      }
      return .permissionDenied(
        "query reads \(table), which is not a table Query serves; query \(hostedList)")
    case .function:
      let name = request.functionName ?? ""
      return .invalidArgument(
        "function \(name)() is not allowed in a query; use SQLite's scalar, aggregate and "
          + "window functions, percentile(), stddev() or the identity functions such as "
          + "current_user()")
    case .update where QueryAuthorizer.schemaTables.contains(request.tableName ?? ""):
      // SQLite 3.40 requests an update of the schema table when a query names an eponymous
      // virtual table, so that is the first request the authorizer gets for a table-valued
      // function.
      return .permissionDenied(
        "query calls a table-valued function, such as json_each() or pragma_table_info(), "
          + "which queries may not use; Query reads only \(hostedList), so call scalar "
          + "functions in the SELECT list or WHERE clause instead")
    case .pragma:
      return .permissionDenied(
        "query runs PRAGMA \(request.firstArgument ?? ""), which queries may not; Query runs "
          + "one read-only SELECT over \(hostedList)")
    default:
      return .permissionDenied(
        "query needs SQLite action \(request.action), which queries may not use; Query runs "
          + "one read-only SELECT over \(hostedList)")
    }
  }

  /// Returns " (at character N)" for the token SQLite's error offset points at, or "" when
  /// SQLite gives no offset or it falls in generated text.
  private func position(of error: StoreError) -> String {
    guard let offset = error.byteOffset, !offsets.isEmpty else { return "" }
    var index = 0
    while index + 1 < offsets.count && offsets[index + 1] <= offset { index += 1 }
    let token = tokens[index]
    guard !(token.isGenerated && token.origin == 0) else { return "" }
    return " (at character \(QueryLexer.characterPosition(in: sql, ofByte: token.origin)))"
  }
}
