import EdgecatCore
import EdgecatStore

/// Splits a query into `QueryToken`s with SQLite's lexical rules, using the store's scanner.
enum QueryLexer {
  /// Returns the tokens of `sql` without comments, or throws INVALID_ARGUMENT for an unclosed
  /// string or quoted identifier, a NUL character or a bound parameter.
  static func tokens(of sql: String) throws(ServiceError) -> [QueryToken] {
    var scanner = ExpressionScanner(sql)
    let scanned: [ExpressionToken]
    do {
      scanned = try scanner.tokens()
    } catch {
      throw .invalidArgument("invalid query: \(error.message)")
    }

    var tokens: [QueryToken] = []
    tokens.reserveCapacity(scanned.count)
    var end = 0
    var commentBefore = false
    for token in scanned {
      let spaceBefore = commentBefore || token.range.lowerBound > end
      end = token.range.upperBound
      commentBefore = false
      let text = String(decoding: scanner.bytes[token.range], as: UTF8.self)
      var position: Int { scanner.characterPosition(ofByte: token.range.lowerBound) }
      let kind: QueryToken.Kind
      switch token.kind {
      case .comment:
        commentBefore = true
        continue
      case .nul:
        throw .invalidArgument(
          "query contains a NUL character at character \(position); remove it")
      case .word: kind = .word
      case .quotedIdentifier: kind = .quotedIdentifier
      case .string: kind = .string
      case .number: kind = .number
      case .openParenthesis, .closeParenthesis, .dot, .semicolon, .other: kind = .symbol
      }
      if kind == .symbol, ["?", ":", "@", "$", "#"].contains(text) {
        throw .invalidArgument(
          "query has a bound parameter ('\(text)') at character \(position), but Query takes "
            + "no parameters; write the value in the SQL text as a literal")
      }
      tokens.append(
        QueryToken(
          kind: kind, text: text, spaceBefore: spaceBefore, origin: token.range.lowerBound))
    }
    return tokens
  }

  /// Joins tokens into SQL text and returns, for each token, its UTF-8 offset in that text.
  static func join(_ tokens: [QueryToken]) -> (sql: String, offsets: [Int]) {
    var sql = ""
    var offsets: [Int] = []
    offsets.reserveCapacity(tokens.count)
    var length = 0
    for (index, token) in tokens.enumerated() {
      if index > 0 && (token.spaceBefore || token.isGenerated || tokens[index - 1].isGenerated) {
        sql += " "
        length += 1
      }
      offsets.append(length)
      sql += token.text
      length += token.text.utf8.count
    }
    return (sql, offsets)
  }

  /// Returns the 1-based character position in `sql` of UTF-8 offset `byte`.
  static func characterPosition(in sql: String, ofByte byte: Int) -> Int {
    let bytes = Array(sql.utf8)
    return String(decoding: bytes[..<min(max(0, byte), bytes.count)], as: UTF8.self).count + 1
  }
}
