extension ExpressionCheck {
  /// Returns a message for the first token that could let the expression escape the
  /// parentheses around it or read data other than its parameters, or nil when there is none.
  ///
  /// SQLite checks everything else. These rules must hold wherever the expression is placed
  /// later, so it closes every parenthesis it opens and ends no statement. It also contains no
  /// comment, qualified name (`t.x`, `main.t`) or subquery.
  static func findTokenProblem(
    in tokens: [ExpressionToken], scanner: ExpressionScanner
  ) -> String? {
    // Byte offsets of the parentheses still open. Positions are computed only for a message,
    // because each one decodes the text before it.
    var openParentheses: [Int] = []
    for (index, token) in tokens.enumerated() {
      var position: Int { scanner.characterPosition(ofByte: token.range.lowerBound) }
      switch token.kind {
      case .comment:
        return "comment at character \(position) is not allowed in an expression; remove it"
      case .semicolon:
        return "';' at character \(position) is not allowed, because an expression cannot end "
          + "a statement or start another; remove it"
      case .nul:
        return "NUL character at character \(position) is not allowed; remove it"
      case .dot:
        return "qualified name at character \(position) is not allowed; refer to a parameter "
          + "by its bare name, such as ssn instead of t.ssn"
      case .openParenthesis:
        openParentheses.append(token.range.lowerBound)
      case .closeParenthesis:
        guard openParentheses.popLast() != nil else {
          return "')' at character \(position) has no matching '('; remove it or add the '('"
        }
      case .word:
        if let problem = findKeywordProblem(at: index, in: tokens, scanner: scanner) {
          return problem
        }
      case .number, .string, .quotedIdentifier, .other:
        break
      }
    }
    if let offset = openParentheses.last {
      let position = scanner.characterPosition(ofByte: offset)
      return "'(' at character \(position) is never closed; add a ')'"
    }
    return nil
  }

  /// Rejects SELECT and VALUES, which start every subquery, and IN followed by anything but a
  /// non-empty parenthesized list. `x IN t` reads table t, and SQLite 3.40 replaces `e IN ()`
  /// with 0 while parsing, so it would never check the names in e.
  private static func findKeywordProblem(
    at index: Int, in tokens: [ExpressionToken], scanner: ExpressionScanner
  ) -> String? {
    let token = tokens[index]
    let word = String(decoding: scanner.bytes[token.range], as: UTF8.self).uppercased()
    var position: Int { scanner.characterPosition(ofByte: token.range.lowerBound) }
    switch word {
    case "SELECT", "VALUES":
      return "subqueries are not allowed (\(word) at character \(position)); a row filter or "
        + "column mask can use only its parameters, literals and functions"
    case "IN":
      let next = index + 1 < tokens.count ? tokens[index + 1].kind : nil
      let afterNext = index + 2 < tokens.count ? tokens[index + 2].kind : nil
      guard next == .openParenthesis else {
        return "IN at character \(position) must be followed by a list of values in "
          + "parentheses, such as IN ('a', 'b'); a table or table-valued function after IN "
          + "is not allowed"
      }
      guard afterNext != .closeParenthesis else {
        return "IN () at character \(position) has an empty list, which is always false; "
          + "list at least one value"
      }
      return nil
    default:
      return nil
    }
  }

  /// Returns the expression with a unary `+` before every number, for a second prepare only.
  /// SQLite 3.40 replaces `0 AND e` with 0 while parsing, before it checks the names in e, and
  /// the `+` stops that without changing which names the expression uses. A later SQLite that
  /// folds `+0 AND e` as well would fail the `0 AND nosuch(ssn)` case of ExpressionCheckTests.
  static func unfoldedProbe(of tokens: [ExpressionToken], scanner: ExpressionScanner) -> String {
    var probe: [UInt8] = []
    probe.reserveCapacity(scanner.bytes.count + tokens.count)
    var copied = 0
    for token in tokens where token.kind == .number {
      probe += scanner.bytes[copied..<token.range.lowerBound]
      probe.append(UInt8(ascii: "+"))
      copied = token.range.lowerBound
    }
    probe += scanner.bytes[copied...]
    return String(decoding: probe, as: UTF8.self)
  }
}
