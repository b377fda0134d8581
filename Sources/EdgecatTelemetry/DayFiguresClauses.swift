/// The clauses of a plain `SELECT ... FROM <inference log> [WHERE] [GROUP BY] [HAVING]
/// [ORDER BY] [LIMIT]` statement, as the rewrite left it. Parsing fails (nil) for any other
/// shape: SELECT DISTINCT, a join, a subquery, a compound SELECT, a window clause, tokens the
/// rewrite generated outside FROM (such as rewritten time arithmetic) other than the aliases
/// that keep result column names, or a name with the day figures view's column prefix.
struct DayFiguresClauses {
  /// One output column: its expression and its alias, if the author or the rewrite gave it one.
  struct Item {
    var expression: ArraySlice<QueryToken>
    var alias: String?
  }

  var items: [Item] = []
  /// The name the FROM clause gives the table, in lower case.
  var tableAlias = ""
  var whereClause: ArraySlice<QueryToken>?
  var groupBy: [ArraySlice<QueryToken>] = []
  var having: ArraySlice<QueryToken>?
  var orderBy: ArraySlice<QueryToken>?
  var limit: ArraySlice<QueryToken>?

  /// The clause keywords in the order a SELECT has them.
  private static let order = ["from", "where", "group", "having", "order", "limit"]
  private static let unsupported: Set<String> = [
    "select", "union", "except", "intersect", "window", "values",
  ]

  init?(_ body: [QueryToken], table: HostedTable) {
    guard body.first?.isKeyword("select") == true, body.count > 1,
      !body[1].isKeyword("distinct")
    else { return nil }
    let start = body[1].isKeyword("all") ? 2 : 1
    guard let marks = Self.clauseMarks(body, from: start) else { return nil }
    guard marks.first?.name == "from", marks.first!.at > start else { return nil }
    for token in body where token.foldedName?.hasPrefix(DayFiguresView.prefix) == true {
      return nil
    }

    for (index, mark) in marks.enumerated() {
      let end = index + 1 < marks.count ? marks[index + 1].at : body.count
      let content = body[mark.contentStart..<end]
      guard !content.isEmpty else { return nil }
      if mark.name != "from", content.contains(where: \.isGenerated) { return nil }
      switch mark.name {
      case "from":
        guard let alias = Self.tableAlias(content, table: table) else { return nil }
        tableAlias = alias
      case "where": whereClause = content
      case "group": groupBy = Self.split(content)
      case "having": having = content
      case "order": orderBy = content
      default: limit = content
      }
    }
    let list = body[start..<marks[0].at]
    for item in Self.split(list) {
      let count = item.count
      guard let last = item.last else { return nil }
      if count >= 3, item[item.endIndex - 2].isKeyword("as"), let alias = last.name {
        items.append(Item(expression: item.dropLast(2), alias: alias))
      } else if count >= 2, Self.isImplicitAlias(last, after: item[item.endIndex - 2]),
        let alias = last.name
      {
        items.append(Item(expression: item.dropLast(), alias: alias))
      } else {
        items.append(Item(expression: item, alias: nil))
      }
    }
    // A generated alias is the column's name as written, but a generated expression token is
    // rewritten time arithmetic, which the translation does not know.
    guard !items.isEmpty, items.allSatisfy({ !$0.expression.isEmpty }),
      !items.contains(where: { $0.expression.contains(where: \.isGenerated) })
    else { return nil }
  }

  /// Returns each top-level clause keyword with its index and where its content starts, in
  /// order, or nil for a clause out of order, repeated, or not supported.
  private static func clauseMarks(_ body: [QueryToken], from start: Int)
    -> [(name: String, at: Int, contentStart: Int)]?
  {
    var marks: [(name: String, at: Int, contentStart: Int)] = []
    var depth = 0
    for index in start..<body.count {
      let token = body[index]
      if token.isSymbol("(") { depth += 1 }
      if token.isSymbol(")") { depth -= 1 }
      guard token.kind == .word else { continue }
      let word = QueryToken.fold(token.text)
      if unsupported.contains(word) { return nil }
      guard depth == 0, let rank = order.firstIndex(of: word) else { continue }
      if let previous = marks.last, order.firstIndex(of: previous.name)! >= rank { return nil }
      var contentStart = index + 1
      if word == "group" || word == "order" {
        guard index + 1 < body.count, body[index + 1].isKeyword("by") else { return nil }
        contentStart += 1
      }
      marks.append((word, index, contentStart))
    }
    return marks
  }

  /// Returns the alias of `FROM <view> [AS] alias`, in lower case, when the clause names the
  /// hosted table's generated view and nothing else.
  private static func tableAlias(_ content: ArraySlice<QueryToken>, table: HostedTable)
    -> String?
  {
    let tokens = Array(content)
    guard let view = tokens.first, view.isGenerated, view.kind == .quotedIdentifier,
      view.text == QueryNames.viewName(of: table)
    else { return nil }
    switch tokens.count {
    case 2: return tokens[1].foldedName
    case 3 where tokens[1].isKeyword("as"): return tokens[2].foldedName
    default: return nil
    }
  }

  /// Returns whether `last` is an alias written without AS, as in `count(*) n`: a name that is not
  /// a keyword, after the end of an expression.
  private static func isImplicitAlias(_ last: QueryToken, after previous: QueryToken) -> Bool {
    func isName(_ token: QueryToken) -> Bool {
      token.kind == .quotedIdentifier
        || (token.kind == .word
          && !DayFiguresTranslation.keywords.contains(QueryToken.fold(token.text)))
    }
    guard isName(last) else { return false }
    switch previous.kind {
    case .symbol: return previous.isSymbol(")")
    case .number, .string, .quotedIdentifier: return true
    case .word: return isName(previous)
    }
  }

  /// Splits `tokens` at the commas outside parentheses.
  static func split(_ tokens: ArraySlice<QueryToken>) -> [ArraySlice<QueryToken>] {
    var parts: [ArraySlice<QueryToken>] = []
    var depth = 0
    var start = tokens.startIndex
    for index in tokens.indices {
      if tokens[index].isSymbol("(") { depth += 1 }
      if tokens[index].isSymbol(")") { depth -= 1 }
      if depth == 0 && tokens[index].isSymbol(",") {
        parts.append(tokens[start..<index])
        start = index + 1
      }
    }
    parts.append(tokens[start..<tokens.endIndex])
    return parts
  }
}
