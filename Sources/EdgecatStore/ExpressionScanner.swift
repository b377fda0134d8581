/// Splits an expression or a whole statement into `ExpressionToken`s, following the SQLite 3.40
/// tokenizer for whitespace, quotes, comments and numbers. SQLite still parses the text
/// afterwards, so the scanner only needs to find where each token starts and ends.
public struct ExpressionScanner {
  public let bytes: [UInt8]
  private var index = 0

  public init(_ expression: String) {
    bytes = Array(expression.utf8)
  }

  /// Returns every token, or throws when a string literal or quoted identifier is not closed.
  public mutating func tokens() throws(ExpressionProblem) -> [ExpressionToken] {
    var tokens: [ExpressionToken] = []
    while let token = try next() { tokens.append(token) }
    return tokens
  }

  /// Returns the 1-based position of the character that starts at byte `offset`.
  public func characterPosition(ofByte offset: Int) -> Int {
    String(decoding: bytes[..<min(offset, bytes.count)], as: UTF8.self).count + 1
  }

  private mutating func next() throws(ExpressionProblem) -> ExpressionToken? {
    while index < bytes.count, Self.isWhitespace(bytes[index]) { index += 1 }
    guard index < bytes.count else { return nil }
    let start = index
    let kind = try scanToken()
    return ExpressionToken(kind: kind, range: start..<index)
  }

  private mutating func scanToken() throws(ExpressionProblem) -> ExpressionToken.Kind {
    let byte = bytes[index]
    let following = index + 1 < bytes.count ? bytes[index + 1] : 0
    switch byte {
    case UInt8(ascii: "'"):
      try skipQuoted(closing: byte, what: "string literal")
      return .string
    case UInt8(ascii: "\""), UInt8(ascii: "`"):
      try skipQuoted(closing: byte, what: "quoted identifier")
      return .quotedIdentifier
    case UInt8(ascii: "["):
      try skipQuoted(closing: UInt8(ascii: "]"), what: "quoted identifier")
      return .quotedIdentifier
    case UInt8(ascii: "-") where following == UInt8(ascii: "-"):
      while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
      return .comment
    case UInt8(ascii: "/") where following == UInt8(ascii: "*"):
      // As in SQLite, the closing */ starts after the opening /*, so /*/ is not closed.
      index += 3
      while index < bytes.count,
        bytes[index - 1] != UInt8(ascii: "*") || bytes[index] != UInt8(ascii: "/")
      {
        index += 1
      }
      index = min(index + 1, bytes.count)
      return .comment
    case UInt8(ascii: "."):
      guard Self.isDigit(following) else {
        index += 1
        return .dot
      }
      skipNumber()
      return .number
    case _ where Self.isDigit(byte):
      skipNumber()
      return .number
    case _ where Self.isIdentifierStart(byte):
      while index < bytes.count, Self.isIdentifierPart(bytes[index]) { index += 1 }
      return .word
    default:
      index += 1
      switch byte {
      case UInt8(ascii: "("): return .openParenthesis
      case UInt8(ascii: ")"): return .closeParenthesis
      case UInt8(ascii: ";"): return .semicolon
      case 0: return .nul
      default: return .other
      }
    }
  }

  /// Skips a token that ends at `closing`, where a doubled `closing` stands for one, as in
  /// 'it''s'. Brackets have no such escape, so `[a]]` is the identifier `a` followed by `]`.
  private mutating func skipQuoted(closing: UInt8, what: String) throws(ExpressionProblem) {
    let start = index
    index += 1
    while index < bytes.count {
      if bytes[index] == closing {
        let doubled = index + 1 < bytes.count && bytes[index + 1] == closing
        guard doubled, closing != UInt8(ascii: "]") else {
          index += 1
          return
        }
        index += 2
      } else {
        index += 1
      }
    }
    let quote = String(decoding: [closing], as: UTF8.self)
    throw ExpressionProblem(
      message: "\(what) starting at character \(characterPosition(ofByte: start)) is not "
        + "closed; end it with \(quote)")
  }

  /// Skips a decimal or hexadecimal number and any identifier characters stuck to it, which
  /// SQLite rejects as an unrecognized token.
  private mutating func skipNumber() {
    while index < bytes.count {
      let byte = bytes[index]
      let isExponentSign =
        (byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-"))
        && (bytes[index - 1] | 0x20) == UInt8(ascii: "e") && !isHexadecimal(upTo: index)
      guard Self.isIdentifierPart(byte) || byte == UInt8(ascii: ".") || isExponentSign else {
        return
      }
      index += 1
    }
  }

  private func isHexadecimal(upTo end: Int) -> Bool {
    var start = end
    while start > 0,
      Self.isIdentifierPart(bytes[start - 1]) || bytes[start - 1] == UInt8(ascii: ".")
    {
      start -= 1
    }
    return end - start >= 2 && bytes[start] == UInt8(ascii: "0")
      && (bytes[start + 1] | 0x20) == UInt8(ascii: "x")
  }

  private static func isWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0C || byte == 0x0D
  }

  private static func isDigit(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
  }

  /// True for the bytes that SQLite lets start an identifier: ASCII letters, `_` and every
  /// byte of a multi-byte UTF-8 character.
  private static func isIdentifierStart(_ byte: UInt8) -> Bool {
    let lower = byte | 0x20
    return (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z"))
      || byte == UInt8(ascii: "_") || byte >= 0x80
  }

  private static func isIdentifierPart(_ byte: UInt8) -> Bool {
    isIdentifierStart(byte) || isDigit(byte) || byte == UInt8(ascii: "$")
  }
}
