import EdgecatCore

/// A query after the engine's rewrite: the author's statement with each hosted three-part name
/// replaced by the name of a generated common table expression, waiting for the caller's view
/// of each referenced table.
struct QueryTemplate: Sendable {
  /// The statement without its leading `WITH` and `RECURSIVE`, and without a trailing ';'.
  var body: [QueryToken]
  /// Whether the author's statement began with WITH, so the generated views join its list.
  var hasWith: Bool
  var isRecursive: Bool
  /// The hosted tables the statement names, in the order first named.
  var tables: [HostedTable]

  /// Returns the tokens of the full statement, with one generated view per referenced table.
  /// `views` contains each table's SELECT in the order of `tables`.
  func statement(views: [String]) -> [QueryToken] {
    var tokens: [QueryToken] = []
    if hasWith || !tables.isEmpty { tokens.append(.generated(.word, "WITH", origin: 0)) }
    if isRecursive { tokens.append(.generated(.word, "RECURSIVE", origin: 0)) }
    for (index, table) in tables.enumerated() {
      if index > 0 { tokens.append(.generated(.symbol, ",", origin: 0)) }
      let definition = QueryNames.viewName(of: table) + " AS (" + views[index] + ")"
      tokens.append(.generated(.symbol, definition, origin: 0))
    }
    if hasWith && !tables.isEmpty { tokens.append(.generated(.symbol, ",", origin: 0)) }
    tokens += body
    return tokens
  }
}

/// The names the rewrite generates and the names that queries may not use.
enum QueryNames {
  /// Returns the name of the generated view of `table`: its full name as one quoted identifier,
  /// which no query can spell because the rewrite rejects any identifier of that value.
  static func viewName(of table: HostedTable) -> String {
    QueryToken.quoted(QueryToken.fold(table.fullName))
  }

  /// Returns the alias a hosted table gets in FROM when the author gives none: its last name
  /// part, so that columns can be qualified as in `inference_logs.device_id`.
  static func alias(of table: HostedTable) -> String {
    String(QueryToken.fold(table.fullName).split(separator: ".").last ?? "")
  }

  /// Returns the three name parts of `table` in lower case.
  static func parts(of table: HostedTable) -> [String] {
    QueryToken.fold(table.fullName).split(separator: ".", omittingEmptySubsequences: false)
      .map(String.init)
  }

  /// Returns the hosted full names, sorted and joined for messages.
  static func list(_ tables: [HostedTable]) -> String {
    tables.map { QueryToken.fold($0.fullName) }.sorted().joined(separator: ", ")
  }
}
