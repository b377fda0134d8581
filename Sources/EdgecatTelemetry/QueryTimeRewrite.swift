import EdgecatCore

/// Rewrites Spark SQL forms into SQLite's on the token stream. `current_timestamp()` and
/// `now()` become the engine clock's datetime text, and `<operand> ± INTERVAL n unit` becomes
/// `strftime` arithmetic. `IF(c, a, b)` becomes `iif(c, a, b)`, which evaluates only the branch
/// taken. `CAST(x AS DATE)` and `CAST(x AS TIMESTAMP)` become `date` and `strftime` calls.
struct QueryTimeRewrite {
  let now: Double
  /// The query text, for positions in messages.
  let sql: String

  /// The format of stored timestamps, `YYYY-MM-DD HH:MM:SS.SSS` in UTC, so that rewritten
  /// times compare with them as text.
  static let datetimeFormat = "'%Y-%m-%d %H:%M:%f'"

  /// Words before '(' that are operators or clause keywords, not function names.
  private static let keywords: Set<String> = [
    "and", "or", "not", "in", "exists", "when", "then", "else", "case", "is", "like", "glob",
    "regexp", "match", "between", "select", "where", "on", "values", "as", "using", "by",
    "having", "from", "escape", "distinct", "all", "return",
  ]

  func apply(to input: [QueryToken]) throws(ServiceError) -> [QueryToken] {
    let tokens = rewriteCasts(in: input)
    var output: [QueryToken] = []
    output.reserveCapacity(tokens.count)
    var index = 0
    while index < tokens.count {
      let token = tokens[index]
      let afterDot = output.last?.isSymbol(".") ?? false
      guard token.kind == .word, !afterDot else {
        output.append(token)
        index += 1
        continue
      }
      let emptyCall =
        index + 2 < tokens.count && tokens[index + 1].isSymbol("(")
        && tokens[index + 2].isSymbol(")")
      let calls = index + 1 < tokens.count && tokens[index + 1].isSymbol("(")
      let text = DatetimeText.format(now)
      switch QueryToken.fold(token.text) {
      case "if" where calls:
        var call = token
        call.text = "iif"
        output.append(call)
        index += 1
      case "current_timestamp":
        output.append(.generated(.string, QueryToken.literal(text), origin: token.origin))
        index += emptyCall ? 3 : 1
      case "now" where emptyCall:
        output.append(.generated(.string, QueryToken.literal(text), origin: token.origin))
        index += 3
      case "current_date":
        let date = String(text.prefix(10))
        output.append(.generated(.string, QueryToken.literal(date), origin: token.origin))
        index += emptyCall ? 3 : 1
      case "current_time":
        let time = String(text.dropFirst(11).prefix(8))
        output.append(.generated(.string, QueryToken.literal(time), origin: token.origin))
        index += emptyCall ? 3 : 1
      case "interval":
        index = try rewriteInterval(in: tokens, at: index, output: &output)
      default:
        output.append(token)
        index += 1
      }
    }
    return output
  }

  /// Replaces `operand ± INTERVAL n unit [n unit ...]`, whose operand is already in `output`,
  /// and returns the index after the last unit.
  private func rewriteInterval(
    in tokens: [QueryToken], at index: Int, output: inout [QueryToken]
  ) throws(ServiceError) -> Int {
    let interval = tokens[index]
    // Computed only for an error, because it reads the query text up to the token.
    var position: Int { QueryLexer.characterPosition(in: sql, ofByte: interval.origin) }
    let usage = "as in timestamp > current_timestamp() - INTERVAL 1 HOUR"
    guard let sign = output.last, sign.isSymbol("+") || sign.isSymbol("-") else {
      throw .invalidArgument(
        "INTERVAL at character \(position) must follow a time and '+' or '-', \(usage)")
    }
    output.removeLast()
    guard let start = operandStart(in: output) else {
      throw .invalidArgument(
        "INTERVAL at character \(position) has no time before its '\(sign.text)'; \(usage)")
    }
    let operand = Array(output[start...])
    output.removeSubrange(start...)

    var modifiers: [String] = []
    var next = index + 1
    repeat {
      let (modifier, after) = try parseAmount(
        in: tokens, at: next, negated: sign.text == "-", position: { position })
      modifiers.append(modifier)
      next = after
    } while startsAmount(in: tokens, at: next)

    output.append(.generated(.word, "strftime", origin: interval.origin))
    output.append(.generated(.symbol, "(", origin: interval.origin))
    output.append(.generated(.string, Self.datetimeFormat, origin: interval.origin))
    output.append(.generated(.symbol, ",", origin: interval.origin))
    output += operand
    for modifier in modifiers {
      output.append(.generated(.symbol, ",", origin: interval.origin))
      output.append(.generated(.string, QueryToken.literal(modifier), origin: interval.origin))
    }
    output.append(.generated(.symbol, ")", origin: interval.origin))
    return next
  }

  /// Returns where the operand that ends `output` starts: a name (possibly qualified), a
  /// literal, or a parenthesized expression with the function name before it.
  private func operandStart(in output: [QueryToken]) -> Int? {
    guard var start = output.indices.last else { return nil }
    let last = output[start]
    switch last.kind {
    case .string, .number:
      return start
    case .word, .quotedIdentifier:
      while start >= 2, output[start - 1].isSymbol("."), output[start - 2].name != nil {
        start -= 2
      }
      return start
    case .symbol:
      guard last.isSymbol(")") else { return nil }
      var depth = 0
      while start >= 0 {
        if output[start].isSymbol(")") { depth += 1 }
        if output[start].isSymbol("(") { depth -= 1 }
        if depth == 0 { break }
        start -= 1
      }
      guard start >= 0 else { return nil }
      if start > 0, output[start - 1].kind == .word,
        !Self.keywords.contains(QueryToken.fold(output[start - 1].text))
      {
        start -= 1
      }
      return start
    }
  }

  private func startsAmount(in tokens: [QueryToken], at index: Int) -> Bool {
    guard index < tokens.count else { return false }
    let signed = tokens[index].isSymbol("-") || tokens[index].isSymbol("+")
    let amountIndex = signed ? index + 1 : index
    guard amountIndex + 1 < tokens.count else { return false }
    let kind = tokens[amountIndex].kind
    return (kind == .number || kind == .string) && Self.unit(of: tokens[amountIndex + 1]) != nil
  }
}
