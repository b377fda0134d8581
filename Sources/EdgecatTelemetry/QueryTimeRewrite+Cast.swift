extension QueryTimeRewrite {
  /// Rewrites `CAST(x AS DATE)` into `date(x)` and `CAST(x AS TIMESTAMP)` into `strftime` with
  /// the stored timestamp format. SQLite would give both types NUMERIC affinity and turn
  /// '2030-01-15 12:00:00' into 2030. One pass in token order keeps the time linear in the
  /// query's length. The pass copies a cast's inner tokens as it reaches them, which rewrites
  /// the casts inside it, and drops the cast's `AS type` when it reaches that.
  func rewriteCasts(in tokens: [QueryToken]) -> [QueryToken] {
    let closing = Self.matchingParentheses(in: tokens)
    var output: [QueryToken] = []
    output.reserveCapacity(tokens.count)
    // The index of each rewritten cast's AS, to the index of its ')'.
    var typeSuffixes: [Int: Int] = [:]
    var index = 0
    while index < tokens.count {
      if let close = typeSuffixes[index] {
        output.append(tokens[close])
        index = close + 1
        continue
      }
      let open = index + 1
      guard tokens[index].isKeyword("cast"), open < tokens.count, tokens[open].isSymbol("("),
        let close = closing[open], close - open >= 4, tokens[close - 2].isKeyword("as")
      else {
        output.append(tokens[index])
        index += 1
        continue
      }
      let origin = tokens[index].origin
      if tokens[close - 1].isKeyword("date") {
        output += [.generated(.word, "date", origin: origin), tokens[open]]
      } else if tokens[close - 1].isKeyword("timestamp") {
        output += [
          .generated(.word, "strftime", origin: origin), tokens[open],
          .generated(.string, Self.datetimeFormat, origin: origin),
          .generated(.symbol, ",", origin: origin),
        ]
      } else {
        output.append(tokens[index])
        index += 1
        continue
      }
      typeSuffixes[close - 2] = close
      index = open + 1
    }
    return output
  }

  /// Returns, for each '(' that is closed, the index of its ')'.
  static func matchingParentheses(in tokens: [QueryToken]) -> [Int: Int] {
    var closing: [Int: Int] = [:]
    var opened: [Int] = []
    for (index, token) in tokens.enumerated() {
      if token.isSymbol("(") {
        opened.append(index)
      } else if token.isSymbol(")"), let open = opened.popLast() {
        closing[open] = index
      }
    }
    return closing
  }

  /// Returns the index of the ')' that closes the '(' at `open`, or nil when it is not closed.
  static func matchingParenthesis(in tokens: [QueryToken], from open: Int) -> Int? {
    var depth = 0
    for index in open..<tokens.count {
      if tokens[index].isSymbol("(") { depth += 1 }
      if tokens[index].isSymbol(")") { depth -= 1 }
      if depth == 0 { return index }
    }
    return nil
  }
}
