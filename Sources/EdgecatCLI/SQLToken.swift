/// One token of an SQL script.
struct SQLToken: Sendable {
  enum Kind: Sendable, Equatable {
    /// A keyword or an unquoted identifier, as written.
    case word
    /// A backquoted identifier, without the quotes.
    case quotedIdentifier
    /// A string literal in single or double quotes, without the quotes and with escapes
    /// resolved.
    case string
    case number
    /// An operator or punctuation such as `(`, `,`, `.`, `=` or `<=`.
    case symbol
  }

  let kind: Kind
  let text: String
  /// Line of the token's first character, from 1.
  let line: Int
  /// Offsets of the token in the script's Unicode scalars: first, and one past the last.
  let start: Int
  let end: Int
  /// Whether a comment separates this token from the previous one.
  let followsComment: Bool

  /// Returns whether the token is the keyword `word`, in any case.
  func isKeyword(_ word: String) -> Bool {
    kind == .word && text.uppercased() == word
  }

  func isSymbol(_ symbol: String) -> Bool { kind == .symbol && text == symbol }

  /// The token as an error message quotes it.
  var quoted: String {
    switch kind {
    case .quotedIdentifier: "`\(text)`"
    case .string: "'\(text)'"
    default: "\"\(text)\""
    }
  }
}

/// The text of a script: its name for messages and its Unicode scalars for slicing.
struct SQLSource: Sendable {
  /// The file name, or nil for `-e` and standard input.
  let name: String?
  let scalars: [Unicode.Scalar]

  init(name: String?, text: String) {
    self.name = name
    self.scalars = Array(text.unicodeScalars)
  }

  /// Returns the location for messages, such as `setup.sql:12` or `line 12`.
  func location(line: Int) -> String {
    name.map { "\($0):\(line)" } ?? "line \(line)"
  }

  /// Returns the source text from the first of `tokens` to the last, comments included.
  func verbatimText(of tokens: ArraySlice<SQLToken>) -> String {
    guard let first = tokens.first, let last = tokens.last else { return "" }
    return String(String.UnicodeScalarView(scalars[first.start..<last.end]))
  }

  /// Returns the source text of `tokens` as written, except that comments between them become one
  /// space.
  func text(of tokens: ArraySlice<SQLToken>) -> String {
    guard let first = tokens.first else { return "" }
    var text = String(String.UnicodeScalarView(scalars[first.start..<first.end]))
    var previous = first
    for token in tokens.dropFirst() {
      text +=
        token.followsComment
        ? " " : String(String.UnicodeScalarView(scalars[previous.end..<token.start]))
      text += String(String.UnicodeScalarView(scalars[token.start..<token.end]))
      previous = token
    }
    return text
  }
}
