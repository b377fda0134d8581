/// Tests on the tokens of one result column, as the author wrote them or as rewritten.
extension SelectList {
  /// Words after which an operand must follow, so that a name after them is no alias.
  private static let operators: Set<String> = [
    "and", "or", "not", "is", "in", "like", "glob", "regexp", "match", "between", "escape",
    "collate", "over", "when", "then", "else", "case", "distinct", "from", "all", "exists",
  ]
  /// Words that can end an expression but never name an alias. END is an alias only when no
  /// CASE is left for it to close, which `hasAlias` counts.
  private static let notAliases: Set<String> = ["null", "isnull", "notnull"]

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
    case .string:
      // A blob literal such as x'00' is a word and a string without a space between them.
      if previous.kind == .word, QueryToken.fold(previous.text) == "x", !last.spaceBefore {
        return false
      }
    case .quotedIdentifier:
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
  /// which SQLite names after the column rather than after its text. In a subquery
  /// (`isOutermost` false), SQLite 3.40.1 also names `reference COLLATE name` after the column.
  static func isColumnReference(_ item: ArraySlice<QueryToken>, isOutermost: Bool) -> Bool {
    var tokens = withoutParentheses(Array(item))
    while !isOutermost, tokens.count >= 3, tokens[tokens.count - 2].isKeyword("collate") {
      tokens = withoutParentheses(Array(tokens.dropLast(2)))
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

  /// Returns `tokens` without the parentheses that enclose all of them.
  private static func withoutParentheses(_ tokens: [QueryToken]) -> [QueryToken] {
    var tokens = tokens
    while tokens.count >= 3, tokens[0].isSymbol("("),
      QueryTimeRewrite.matchingParenthesis(in: tokens, from: 0) == tokens.count - 1
    {
      tokens = Array(tokens[1..<(tokens.count - 1)])
    }
    return tokens
  }
}
