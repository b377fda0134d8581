/// One token of an expression, split as far as `ExpressionCheck`'s token rules need, with
/// SQLite's rules for where strings, quoted identifiers, comments and numbers start and end.
public struct ExpressionToken: Sendable {
  public enum Kind: Sendable {
    case number
    case string
    case quotedIdentifier
    /// An unquoted identifier or keyword.
    case word
    case openParenthesis
    case closeParenthesis
    case dot
    case semicolon
    /// A `--` or `/* */` comment, closed or not.
    case comment
    /// A NUL byte, which would end the C string that SQLite reads.
    case nul
    /// An operator or other punctuation, one byte at a time.
    case other
  }

  public let kind: Kind
  /// The UTF-8 byte offsets of the token in the expression.
  public let range: Range<Int>
}

/// A problem in an expression, with a message for the person who wrote it.
public struct ExpressionProblem: Error {
  public let message: String
}
