import EdgecatProto

/// Parses the statements of `edgecat sql`: a hand-written recursive descent over the tokens
/// of each `;`-separated statement.
enum SQLParser {
  /// The statements `edgecat sql` runs, for error messages and help.
  static let supported =
    "CREATE CATALOG|SCHEMA|TABLE|FUNCTION|VOLUME, GRANT, REVOKE, ALTER TABLE ... SET|DROP ROW"
    + " FILTER, ALTER TABLE ... ALTER COLUMN ... SET|DROP MASK, ALTER <type> ... OWNER TO,"
    + " SHOW GRANTS, DROP and SELECT (run by edgecat-telemetry)"

  /// Parses every statement of `source`; the first one that does not parse fails naming
  /// its line.
  static func parse(_ source: SQLSource) throws -> [ParsedStatement] {
    var tokenizer = SQLTokenizer(source: source)
    let tokens = try tokenizer.tokenize()
    var statements: [ParsedStatement] = []
    var current: [SQLToken] = []
    for token in tokens + [nil] {
      if let token, !token.isSymbol(";") {
        current.append(token)
        continue
      }
      guard let first = current.first else { continue }
      var cursor = SQLCursor(tokens: current, source: source)
      statements.append(
        ParsedStatement(statement: try statement(&cursor), source: source, line: first.line))
      current = []
    }
    return statements
  }

  static func statement(_ cursor: inout SQLCursor) throws -> SQLStatement {
    let first = cursor.peek()!
    switch first.text.uppercased() {
    case "CREATE": return try create(&cursor)
    case "GRANT", "REVOKE": return try privilegeChange(&cursor)
    case "ALTER": return try alter(&cursor)
    case "SHOW" where cursor.peek(1)?.isKeyword("GRANTS") == true: return try showGrants(&cursor)
    case "DROP": return try drop(&cursor)
    case "SELECT", "WITH":
      // Verbatim, comments included, so that telemetry names unaliased columns after the
      // text as written, as `edgecat query` does.
      return .query(sql: cursor.source.verbatimText(of: cursor.tokens[...]))
    case "VALUES", "FROM", "TABLE":
      throw cursor.error(
        "\(first.text.uppercased()) queries are not supported; write them as SELECT, which"
          + " edgecat-telemetry runs. edgecat sql supports \(supported)")
    default:
      // Statements such as SHOW TABLES are named by two words, others such as INSERT by one.
      let twoWords = ["SHOW", "DESCRIBE", "DESC"].contains(first.text.uppercased())
      throw unsupported(&cursor, words: twoWords ? 2 : 1)
    }
  }

  /// The error for a statement `edgecat sql` does not run, naming its first `words` words.
  static func unsupported(_ cursor: inout SQLCursor, words: Int) -> CLIError {
    let name = cursor.tokens.prefix(words).map { $0.text.uppercased() }.joined(separator: " ")
    return cursor.error(
      "\(name) is not supported; edgecat sql supports \(supported)", line: cursor.tokens[0].line)
  }

  /// Reads a securable type keyword, such as TABLE or REGISTERED MODEL; nil when none is next.
  static func securableType(_ cursor: inout SQLCursor) -> Edgecat_Policy_V1_SecurableType? {
    if cursor.accept("REGISTERED", "MODEL") { return .registeredModel }
    let words: [(String, Edgecat_Policy_V1_SecurableType)] = [
      ("METASTORE", .metastore), ("CATALOG", .catalog), ("SCHEMA", .schema),
      ("DATABASE", .schema), ("TABLE", .table), ("VIEW", .view), ("VOLUME", .volume),
      ("FUNCTION", .function), ("MODEL", .registeredModel),
    ]
    for (word, type) in words where cursor.accept(word) { return type }
    return nil
  }

  /// Reads the full name of a securable of `type`: no name for the metastore, one part for
  /// a catalog, two for a schema and three for everything else.
  static func securableName(_ cursor: inout SQLCursor, type: Edgecat_Policy_V1_SecurableType)
    throws -> String
  {
    let parts: Int
    switch type {
    case .metastore: return ""
    case .catalog: parts = 1
    case .schema: parts = 2
    default: parts = 3
    }
    let kind = SecurableTypes.displayName(type)
    return try cursor.name(parts: parts, kind: kind).joined(separator: ".")
  }
}
