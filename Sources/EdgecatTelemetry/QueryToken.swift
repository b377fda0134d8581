import EdgecatCore
import EdgecatStore

/// One token of a query with comments dropped, as the query engine rewrites it and hands it to
/// SQLite. The SQL that SQLite prepares is made of these tokens only, so every name that SQLite
/// resolves is one that the rewrite checked.
struct QueryToken: Sendable {
  enum Kind: Sendable {
    case word
    case quotedIdentifier
    case string
    case number
    /// Punctuation or an operator, one byte at a time.
    case symbol
  }

  var kind: Kind
  var text: String
  /// Whether whitespace or a comment separated the token from the one before it. Tokens are
  /// joined without a space otherwise, so that `<=` and blob literals such as x'00' stay whole.
  var spaceBefore: Bool
  /// The UTF-8 offset in the query text of the token, or of what a generated token replaces.
  var origin: Int
  /// Whether the engine wrote the token rather than the query's author. Generated tokens are
  /// always set apart by spaces, so that they never merge with a neighbour.
  var isGenerated = false

  /// The name an identifier stands for: a word as written, a quoted identifier unquoted. Nil for
  /// other kinds.
  var name: String? {
    switch kind {
    case .word: text
    case .quotedIdentifier: Self.unquote(text)
    default: nil
    }
  }

  /// The name in ASCII lower case, as SQLite compares names.
  var foldedName: String? { name.map(QueryToken.fold) }

  /// True for an unquoted word spelled `keyword`, ignoring ASCII case.
  func isKeyword(_ keyword: String) -> Bool {
    kind == .word && QueryToken.fold(text) == keyword
  }

  func isSymbol(_ symbol: String) -> Bool { kind == .symbol && text == symbol }

  static func generated(_ kind: Kind, _ text: String, origin: Int) -> QueryToken {
    QueryToken(kind: kind, text: text, spaceBefore: true, origin: origin, isGenerated: true)
  }

  /// Returns `text` with ASCII letters lowercased, as SQLite compares identifiers.
  static func fold(_ text: String) -> String {
    String(decoding: text.utf8.map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 }, as: UTF8.self)
  }

  /// Returns `name` as a double-quoted SQL identifier, with each `"` doubled.
  static func quoted(_ name: String) -> String {
    "\"" + name.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"")
      + "\""
  }

  /// Returns `text` as a single-quoted SQL string literal, with each `'` doubled.
  static func literal(_ text: String) -> String {
    "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''")
      + "'"
  }

  private static func unquote(_ text: String) -> String {
    guard let first = text.first, text.count >= 2 else { return text }
    let inner = String(text.dropFirst().dropLast())
    if first == "[" { return inner }
    let quote = String(first)
    return inner.replacingOccurrences(of: quote + quote, with: quote)
  }
}

extension String {
  fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
    split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
  }
}
