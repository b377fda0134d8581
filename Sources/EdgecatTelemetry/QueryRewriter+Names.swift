import EdgecatCore

/// One pass over a statement's tokens that replaces hosted three-part names with their
/// generated views and rejects every other use of a reserved name.
struct HostedNameScan {
  let tables: [HostedTable]
  let reserved: Set<String>
  let sql: String
  /// The hosted tables named so far, in the order first named.
  private(set) var referenced: [HostedTable] = []

  /// Clauses after which a table name in FROM position may follow a ','.
  private static let fromClauses: Set<String> = ["from", "join", "on", "using"]
  /// Clause keywords whose start is tracked, per parenthesis depth, to tell FROM lists apart.
  private static let clauses: Set<String> = [
    "select", "from", "where", "group", "having", "order", "limit", "window", "union", "except",
    "intersect", "values", "join", "on", "using",
  ]
  /// Words after a table in FROM that are not an alias.
  private static let notAliases: Set<String> = [
    "where", "group", "order", "limit", "join", "inner", "left", "right", "full", "outer",
    "cross", "natural", "on", "using", "union", "except", "intersect", "window", "having",
    "indexed", "not", "returning",
  ]

  init(tables: [HostedTable], reserved: Set<String>, sql: String) {
    self.tables = tables
    self.reserved = reserved
    self.sql = sql
  }

  mutating func replace(_ tokens: [QueryToken]) throws(ServiceError) -> [QueryToken] {
    var output: [QueryToken] = []
    output.reserveCapacity(tokens.count)
    var clauseByDepth: [String] = [""]
    var index = 0
    while index < tokens.count {
      let token = tokens[index]
      let afterDot = index > 0 && tokens[index - 1].isSymbol(".")

      if !afterDot, let parts = Self.nameParts(in: tokens, at: index), parts.count >= 3 {
        let table = try hostedTable(named: parts, at: token)
        output.append(
          .generated(.quotedIdentifier, QueryNames.viewName(of: table), origin: token.origin))
        let next = index + 5 < tokens.count ? tokens[index + 5] : nil
        if isTablePosition(output.dropLast().last, clause: clauseByDepth.last ?? ""),
          !Self.isAlias(next)
        {
          output.append(.generated(.word, "AS", origin: token.origin))
          let alias = QueryToken.quoted(QueryNames.alias(of: table))
          output.append(.generated(.quotedIdentifier, alias, origin: token.origin))
        }
        if !referenced.contains(table) { referenced.append(table) }
        index += 5
        continue
      }

      if let name = token.foldedName, reserved.contains(name) {
        let qualifiesColumn =
          !afterDot && index + 1 < tokens.count && tokens[index + 1].isSymbol(".")
          && tables.contains { QueryNames.alias(of: $0) == name }
        guard qualifiesColumn else { throw reservedNameError(token) }
      }

      if token.isSymbol("(") {
        clauseByDepth.append("")
      } else if token.isSymbol(")") {
        if clauseByDepth.count > 1 { clauseByDepth.removeLast() }
      } else if token.kind == .word, Self.clauses.contains(QueryToken.fold(token.text)) {
        clauseByDepth[clauseByDepth.count - 1] = QueryToken.fold(token.text)
      }
      output.append(token)
      index += 1
    }
    return output
  }

  /// Returns the folded parts of the dotted name that starts at `index` (`a.b.c`), or nil
  /// when no identifier starts there.
  private static func nameParts(in tokens: [QueryToken], at index: Int) -> [String]? {
    guard let first = tokens[index].foldedName else { return nil }
    var parts = [first]
    var next = index + 1
    while next + 1 < tokens.count, tokens[next].isSymbol("."),
      let part = tokens[next + 1].foldedName
    {
      parts.append(part)
      next += 2
    }
    return parts
  }

  private func hostedTable(named parts: [String], at token: QueryToken) throws(ServiceError)
    -> HostedTable
  {
    // Computed only for an error, because it reads the query text up to the token.
    var position: Int { QueryLexer.characterPosition(in: sql, ofByte: token.origin) }
    let name = parts.joined(separator: ".")
    guard parts.count == 3 else {
      throw .invalidArgument(
        "name \(name) at character \(position) has \(parts.count) parts; name a table as "
          + "catalog.schema.table and qualify its columns with an alias, as in "
          + "FROM \(QueryNames.list(tables).split(separator: ",")[0]) AS t ... t.device_id")
    }
    guard let table = tables.first(where: { QueryNames.parts(of: $0) == parts }) else {
      throw .notFound(
        "table \(name) at character \(position) is not hosted by the telemetry service; "
          + "query \(QueryNames.list(tables))")
    }
    return table
  }

  /// True after FROM, JOIN or a ',' in a FROM list, where a table name is a table reference.
  private func isTablePosition(_ previous: QueryToken?, clause: String) -> Bool {
    guard let previous else { return false }
    if previous.isKeyword("from") || previous.isKeyword("join") { return true }
    return previous.isSymbol(",") && Self.fromClauses.contains(clause)
  }

  private static func isAlias(_ token: QueryToken?) -> Bool {
    guard let token else { return false }
    switch token.kind {
    case .quotedIdentifier: return true
    case .word: return token.isKeyword("as") || !notAliases.contains(QueryToken.fold(token.text))
    default: return false
    }
  }

  private func reservedNameError(_ token: QueryToken) -> ServiceError {
    let position = QueryLexer.characterPosition(in: sql, ofByte: token.origin)
    return .invalidArgument(
      "name \(token.text) at character \(position) is reserved: it names a raw table or would "
        + "shadow a hosted table; name the table by its three-part name ("
        + QueryNames.list(tables) + ") "
        + "and give CTEs and aliases other names")
  }
}
