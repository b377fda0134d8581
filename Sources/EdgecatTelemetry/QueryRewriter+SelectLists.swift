/// The result columns of one SELECT, found on a statement's tokens without a full parse.
struct SelectList {
  /// The token ranges of the result columns, in order, each with its alias if it has one.
  var items: [Range<Int>]

  /// Words that end a select list at its own parenthesis depth. WINDOW ends it only as the
  /// start of a window clause (`WINDOW name AS (`), because SQLite also takes it as an alias.
  private static let ends: Set<String> = [
    "from", "where", "group", "having", "window", "order", "limit", "union", "except",
    "intersect",
  ]
  /// Words after which an operand must follow, so that a name after them is no alias.
  private static let operators: Set<String> = [
    "and", "or", "not", "is", "in", "like", "glob", "regexp", "match", "between", "escape",
    "collate", "over", "when", "then", "else", "case", "distinct", "from", "all", "exists",
  ]
  /// Words that can end an expression but never name an alias. END is an alias only when no
  /// CASE is left for it to close, which `hasAlias` counts.
  private static let notAliases: Set<String> = ["null", "isnull", "notnull"]

  /// Returns the select list of each SELECT keyword in `tokens`, in the order the keywords
  /// appear, so that the lists of two versions of one statement pair up by position.
  static func all(in tokens: [QueryToken]) -> [SelectList] {
    tokens.indices.filter { tokens[$0].isKeyword("select") }.map { list(in: tokens, after: $0) }
  }

  private static func list(in tokens: [QueryToken], after select: Int) -> SelectList {
    var start = select + 1
    if start < tokens.count, tokens[start].isKeyword("distinct") || tokens[start].isKeyword("all") {
      start += 1
    }
    var items: [Range<Int>] = []
    var itemStart = start
    var depth = 0
    var index = start
    while index < tokens.count {
      let token = tokens[index]
      if token.isSymbol("(") {
        depth += 1
      } else if token.isSymbol(")") {
        if depth == 0 { break }
        depth -= 1
      } else if depth == 0 {
        if token.isSymbol(";") || endsList(tokens, at: index, listStart: start) { break }
        if token.isSymbol(",") {
          items.append(itemStart..<index)
          itemStart = index + 1
        }
      }
      index += 1
    }
    items.append(itemStart..<index)
    return SelectList(items: items)
  }

  /// True for a clause keyword at `index`, except the FROM of `IS [NOT] DISTINCT FROM` and a
  /// WINDOW that is an alias.
  private static func endsList(_ tokens: [QueryToken], at index: Int, listStart: Int) -> Bool {
    guard tokens[index].kind == .word, ends.contains(QueryToken.fold(tokens[index].text)) else {
      return false
    }
    if tokens[index].isKeyword("from") {
      return !(index > listStart && tokens[index - 1].isKeyword("distinct"))
    }
    if tokens[index].isKeyword("window") {
      return index + 3 < tokens.count && tokens[index + 2].isKeyword("as")
        && tokens[index + 3].isSymbol("(")
    }
    return true
  }

  /// True for `*` and `name.*`, which SQLite expands to the columns they stand for.
  static func isStar(_ item: ArraySlice<QueryToken>) -> Bool {
    guard let last = item.last, last.isSymbol("*") else { return false }
    return item.count == 1 || (item.count >= 3 && item[item.endIndex - 2].isSymbol("."))
  }

  /// True when the result column ends in an alias: `AS name`, or a name or string right after
  /// the end of an expression, as in `count(*) n`.
  static func hasAlias(_ item: ArraySlice<QueryToken>) -> Bool {
    guard item.count >= 2, let last = item.last, !endsWithInterval(item) else { return false }
    let previous = item[item.endIndex - 2]
    if previous.isKeyword("as") { return true }
    switch last.kind {
    case .quotedIdentifier, .string:
      break
    case .word:
      let word = QueryToken.fold(last.text)
      if notAliases.contains(word) { return false }
      if word == "end" {
        let cases = item.filter { $0.isKeyword("case") }.count
        let ends = item.filter { $0.isKeyword("end") }.count
        if ends <= cases { return false }
      }
    case .number, .symbol:
      return false
    }
    switch previous.kind {
    case .symbol: return previous.isSymbol(")")
    case .number, .string, .quotedIdentifier: return true
    case .word: return !operators.contains(QueryToken.fold(previous.text))
    }
  }

  /// True when the item ends with `INTERVAL [+|-]n unit [[+|-]n unit ...]`, whose unit is no
  /// alias.
  private static func endsWithInterval(_ item: ArraySlice<QueryToken>) -> Bool {
    guard let interval = item.lastIndex(where: { $0.isKeyword("interval") }) else {
      return false
    }
    var index = interval + 1
    repeat {
      if index < item.endIndex, item[index].isSymbol("+") || item[index].isSymbol("-") {
        index += 1
      }
      guard index + 1 < item.endIndex, item[index].kind == .number || item[index].kind == .string,
        QueryTimeRewrite.unit(of: item[index + 1]) != nil
      else { return false }
      index += 2
    } while index < item.endIndex
    return true
  }

  /// True for a column reference, such as `device_id`, `l.device_id` or `(l."device_id")`,
  /// which SQLite names after the column rather than after its text.
  static func isColumnReference(_ item: ArraySlice<QueryToken>) -> Bool {
    var tokens = Array(item)
    while tokens.count >= 3, tokens[0].isSymbol("("),
      QueryTimeRewrite.matchingParenthesis(in: tokens, from: 0) == tokens.count - 1
    {
      tokens = Array(tokens[1..<(tokens.count - 1)])
    }
    guard tokens.count % 2 == 1 else { return false }
    for (index, token) in tokens.enumerated() {
      if index % 2 == 1 {
        guard token.isSymbol(".") else { return false }
      } else if token.kind == .word {
        guard !notAliases.contains(QueryToken.fold(token.text)) else { return false }
      } else {
        guard token.kind == .quotedIdentifier else { return false }
      }
    }
    return true
  }
}
