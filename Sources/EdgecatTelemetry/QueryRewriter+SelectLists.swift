/// The result columns of one SELECT, found on a statement's tokens without a full parse.
struct SelectList {
  /// The token ranges of the result columns, in order, each with its alias if it has one.
  var items: [Range<Int>]
  /// The number of parentheses around the SELECT keyword.
  var depth: Int

  /// Whether the SELECT is outside every parenthesis, so that its columns are the statement's
  /// result columns rather than those of a subquery or common table expression.
  var isOutermost: Bool { depth == 0 }

  /// Words that end a select list at its own parenthesis depth. WINDOW ends it only as the
  /// start of a window clause (`WINDOW name AS (`), because SQLite also takes it as an alias.
  private static let ends: Set<String> = [
    "from", "where", "group", "having", "window", "order", "limit", "union", "except",
    "intersect",
  ]
  /// Returns the select list of each SELECT keyword in `tokens`, in the order the keywords
  /// appear, so that the lists of two versions of one statement pair up by position.
  static func all(in tokens: [QueryToken]) -> [SelectList] {
    var lists: [SelectList] = []
    var depth = 0
    for (index, token) in tokens.enumerated() {
      if token.isSymbol("(") { depth += 1 }
      if token.isSymbol(")") { depth -= 1 }
      if token.isKeyword("select") {
        lists.append(list(in: tokens, after: index, depth: depth))
      }
    }
    return lists
  }

  private static func list(in tokens: [QueryToken], after select: Int, depth selectDepth: Int)
    -> SelectList
  {
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
    return SelectList(items: items, depth: selectDepth)
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
}
