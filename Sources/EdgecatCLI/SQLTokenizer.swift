/// Splits an SQL script into tokens: words, backquoted identifiers, string literals,
/// numbers and symbols. `--` comments run to the end of the line and `/* */` comments may
/// nest, as in Spark SQL.
struct SQLTokenizer {
  let source: SQLSource
  var index = 0
  var line = 1
  /// Whether a comment was skipped since the last token.
  var sawComment = false

  init(source: SQLSource) {
    self.source = source
  }

  /// Symbols of two characters; every other symbol is one character.
  static let pairs: Set<String> = ["<=", ">=", "<>", "!=", "==", "||", "::", "=>", "->"]
  static let singles: Set<Unicode.Scalar> = [
    "(", ")", ",", ";", ".", "=", "<", ">", "+", "-", "*", "/", "%", ":", "[", "]", "{", "}",
    "!", "&", "|", "^", "~", "?",
  ]

  /// Returns every token; an unterminated literal or comment, or an unexpected character,
  /// fails naming its line.
  mutating func tokenize() throws -> [SQLToken] {
    var tokens: [SQLToken] = []
    while let token = try next() { tokens.append(token) }
    return tokens
  }

  var scalars: [Unicode.Scalar] { source.scalars }

  func peek(_ offset: Int = 0) -> Unicode.Scalar? {
    index + offset < scalars.count ? scalars[index + offset] : nil
  }

  mutating func advance() {
    if scalars[index] == "\n" { line += 1 }
    index += 1
  }

  private mutating func next() throws -> SQLToken? {
    sawComment = false
    try skipSpaceAndComments()
    guard let scalar = peek() else { return nil }
    let start = index
    let startLine = line
    let followsComment = sawComment
    func token(_ kind: SQLToken.Kind, _ text: String) -> SQLToken {
      SQLToken(
        kind: kind, text: text, line: startLine, start: start, end: index,
        followsComment: followsComment)
    }

    if scalar == "`" {
      return token(.quotedIdentifier, try quoted(by: "`", kind: "backquoted identifier"))
    }
    if scalar == "'" || scalar == "\"" {
      return token(.string, try quoted(by: scalar, kind: "string"))
    }
    if scalar.properties.isAlphabetic || scalar == "_" {
      while let next = peek(), next.properties.isAlphabetic || next == "_" || isDigit(next) {
        advance()
      }
      return token(.word, slice(start))
    }
    if isDigit(scalar) {
      readNumber()
      return token(.number, slice(start))
    }
    if let second = peek(1), Self.pairs.contains(String(scalar) + String(second)) {
      advance()
      advance()
      return token(.symbol, slice(start))
    }
    if Self.singles.contains(scalar) {
      advance()
      return token(.symbol, slice(start))
    }
    var message = "unexpected character \"\(scalar)\""
    if scalar == "@" { message += "; put names such as `alice@example.com` in backquotes" }
    throw CLIError.failure("\(source.location(line: line)): \(message)")
  }

  func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

  private func slice(_ start: Int) -> String {
    String(String.UnicodeScalarView(scalars[start..<index]))
  }
}
