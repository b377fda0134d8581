import EdgecatCore

/// Checks one query and rewrites its hosted three-part names, without touching SQLite.
struct QueryRewriter {
  let tables: [HostedTable]
  /// The schema under which the query connections attach the database, which queries may not
  /// name.
  let sourceSchema: String
  /// Seconds since the Unix epoch that `current_timestamp()` and `now()` stand for.
  let now: Double

  /// Returns the template of `sql`, whose result columns keep the names of the author's text.
  /// Throws INVALID_ARGUMENT for anything but one SELECT statement, NOT_FOUND for a three-part
  /// name this service does not host and INVALID_ARGUMENT for a name that would reach the raw
  /// table or shadow a hosted one.
  func rewrite(_ sql: String) throws(ServiceError) -> QueryTemplate {
    var tokens = try QueryLexer.tokens(of: sql)
    let written = tokens
    try checkShape(&tokens, sql)
    let hasWith = tokens[0].isKeyword("with")
    let isRecursive = hasWith && tokens.count > 1 && tokens[1].isKeyword("recursive")
    var start = 0
    if hasWith { start += 1 }
    if isRecursive { start += 1 }

    var scan = HostedNameScan(tables: tables, reserved: reservedNames, sql: sql)
    let body = try scan.replace(Array(tokens[start...]))
    let rewritten = try QueryTimeRewrite(now: now, sql: sql).apply(to: body)
    let named = ResultColumnNames(sql: sql).restore(
      in: rewritten, written: Array(written[start...]))
    return QueryTemplate(
      body: named, hasWith: hasWith, isRecursive: isRecursive, tables: scan.referenced)
  }

  /// Names that no identifier of a query may have: each hosted table's raw table, full name
  /// and last part, and the attached schema.
  private var reservedNames: Set<String> {
    var names: Set<String> = [QueryToken.fold(sourceSchema)]
    for table in tables {
      names.insert(QueryToken.fold(table.rawTable))
      names.insert(QueryToken.fold(table.fullName))
      names.insert(QueryNames.alias(of: table))
    }
    return names
  }

  /// Rejects anything but one SELECT, WITH or VALUES statement and drops a trailing ';'.
  private func checkShape(_ tokens: inout [QueryToken], _ sql: String) throws(ServiceError) {
    guard let first = tokens.first else {
      throw .invalidArgument(
        "query is empty; write one SELECT statement over \(QueryNames.list(tables))")
    }
    guard first.isKeyword("select") || first.isKeyword("with") || first.isKeyword("values")
    else {
      throw .invalidArgument(
        "query starts with '\(first.text)', but Query runs only one read-only SELECT "
          + "statement (a WITH clause may lead it); rewrite it as a SELECT")
    }
    if let last = tokens.last, last.isSymbol(";") { tokens.removeLast() }
    if let semicolon = tokens.first(where: { $0.isSymbol(";") }) {
      let position = QueryLexer.characterPosition(in: sql, ofByte: semicolon.origin)
      throw .invalidArgument(
        "query contains more than one statement (';' at character \(position)); send one "
          + "SELECT statement per query")
    }
    guard !tokens.isEmpty else {
      throw .invalidArgument("query is empty; write one SELECT statement")
    }
    try checkNesting(tokens, sql)
    if first.isKeyword("with"), let statement = mainStatement(after: tokens),
      !statement.isKeyword("select") && !statement.isKeyword("values")
    {
      throw .invalidArgument(
        "query's WITH clause leads '\(statement.text)', but Query runs only one read-only "
          + "SELECT statement; end the WITH clause with a SELECT")
    }
  }

  /// The deepest nesting of parentheses accepted. SQLite 3.40's parser overflows its stack
  /// before 100 levels, and the rewrite's passes over nested parentheses grow with the depth
  /// times the length, so deeper queries are rejected before either runs.
  static let maxNestingDepth = 100

  /// Rejects a query whose parentheses nest deeper than `maxNestingDepth`.
  private func checkNesting(_ tokens: [QueryToken], _ sql: String) throws(ServiceError) {
    var depth = 0
    for token in tokens {
      if token.isSymbol("(") {
        depth += 1
        guard depth <= Self.maxNestingDepth else {
          let position = QueryLexer.characterPosition(in: sql, ofByte: token.origin)
          throw .invalidArgument(
            "query nests parentheses more than \(Self.maxNestingDepth) deep (at character"
              + " \(position)), which SQLite cannot parse; flatten the expression or split"
              + " the query")
        }
      } else if token.isSymbol(")") {
        depth -= 1
      }
    }
  }

  /// Returns the first statement keyword outside parentheses after a leading WITH list.
  private func mainStatement(after tokens: [QueryToken]) -> QueryToken? {
    let keywords: Set<String> = ["select", "values", "insert", "update", "delete", "replace"]
    var depth = 0
    for token in tokens.dropFirst() {
      if token.isSymbol("(") { depth += 1 }
      if token.isSymbol(")") { depth -= 1 }
      if depth == 0, token.kind == .word, keywords.contains(QueryToken.fold(token.text)) {
        return token
      }
    }
    return nil
  }
}
