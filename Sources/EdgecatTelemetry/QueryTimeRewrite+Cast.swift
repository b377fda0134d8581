extension QueryTimeRewrite {
  /// Rewrites `CAST(x AS DATE)` into `date(x)` and `CAST(x AS TIMESTAMP)` into `strftime` with
  /// the stored timestamp format. SQLite would give both types NUMERIC affinity and turn
  /// '2030-01-15 12:00:00' into 2030. Inner casts are rewritten before the ones around them.
  func rewriteCasts(in tokens: [QueryToken]) -> [QueryToken] {
    var tokens = tokens
    for start in tokens.indices.reversed() where tokens[start].isKeyword("cast") {
      let open = start + 1
      guard open < tokens.count, tokens[open].isSymbol("("),
        let close = Self.matchingParenthesis(in: tokens, from: open), close - open >= 4,
        tokens[close - 2].isKeyword("as")
      else { continue }
      let origin = tokens[start].origin
      var replacement: [QueryToken]
      if tokens[close - 1].isKeyword("date") {
        replacement = [.generated(.word, "date", origin: origin), tokens[open]]
      } else if tokens[close - 1].isKeyword("timestamp") {
        replacement = [
          .generated(.word, "strftime", origin: origin), tokens[open],
          .generated(.string, Self.datetimeFormat, origin: origin),
          .generated(.symbol, ",", origin: origin),
        ]
      } else {
        continue
      }
      replacement += tokens[(open + 1)..<(close - 2)]
      replacement.append(tokens[close])
      tokens.replaceSubrange(start...close, with: replacement)
    }
    return tokens
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
