/// A lexical view of a SQL expression: enough to validate a function body and to replace its
/// parameters by column references token by token, never inside literals or quoted names.
public enum SQLExpression {
  public enum TokenKind: Equatable {
    case identifier
    case quotedIdentifier
    case stringLiteral
    case number
    case whitespace
    case symbol
  }

  public struct Token {
    public var kind: TokenKind
    public var text: Substring
  }

  /// Keywords that would make a body read a table or run a statement.
  public static let rejectedKeywords: Set<String> = [
    "select", "from", "with", "insert", "update", "delete", "attach", "detach", "pragma",
    "create", "drop", "alter", "values", "exists",
  ]

  /// Splits `text` into tokens. For an unterminated quote it also returns a message.
  public static func tokenize(_ text: String) -> (tokens: [Token], error: String?) {
    var tokens: [Token] = []
    var index = text.startIndex
    while index < text.endIndex {
      let character = text[index]
      let start = index
      let kind: TokenKind
      if character.isWhitespace {
        while index < text.endIndex, text[index].isWhitespace { index = text.index(after: index) }
        kind = .whitespace
      } else if character == "'" || character == "\"" || character == "`" {
        guard let end = closingQuote(in: text, from: index) else {
          return (tokens, "an unterminated \(character) quote")
        }
        index = end
        kind = character == "'" ? .stringLiteral : .quotedIdentifier
      } else if character.isLetter || character == "_" {
        while index < text.endIndex, isIdentifierCharacter(text[index]) {
          index = text.index(after: index)
        }
        kind = .identifier
      } else if character.isNumber {
        while index < text.endIndex, text[index].isNumber || text[index] == "." {
          index = text.index(after: index)
        }
        kind = .number
      } else {
        index = text.index(after: index)
        kind = .symbol
      }
      tokens.append(Token(kind: kind, text: text[start..<index]))
    }
    return (tokens, nil)
  }

  /// Throws INVALID_ARGUMENT for an empty body, an unterminated quote, unbalanced parentheses,
  /// a `;`, a `--` or `/*` comment, or a keyword that would read a table or run a statement.
  /// NOTE: this is a lexical check, not a full SQL parse. A grammar error such as `a + * b`
  /// passes here and fails only when the engine that serves rows prepares the expression.
  public static func validateBody(_ body: String, functionName: String) throws(ServiceError) {
    let (tokens, error) = tokenize(body)
    if let error {
      throw .invalidArgument("body of function \(functionName) has \(error); close it")
    }
    guard tokens.contains(where: { $0.kind != .whitespace }) else {
      throw .invalidArgument("body of function \(functionName) is empty; give one expression")
    }
    var depth = 0
    var previous: Token?
    for token in tokens {
      defer { previous = token }
      if token.kind == .symbol, previous?.kind == .symbol,
        let before = previous?.text, before + token.text == "--" || before + token.text == "/*"
      {
        // A comment would swallow the parenthesis and whatever follows when the body is
        // substituted into a row filter or mask expression.
        throw .invalidArgument(
          "body of function \(functionName) contains a comment ('\(before)\(token.text)'); "
            + "remove it, a body is one expression")
      }
      switch (token.kind, token.text) {
      case (.symbol, "("): depth += 1
      case (.symbol, ")"):
        depth -= 1
        guard depth >= 0 else {
          throw .invalidArgument("body of function \(functionName) has an unmatched ')'")
        }
      case (.symbol, ";"):
        throw .invalidArgument(
          "body of function \(functionName) contains ';'; a body is one expression")
      case (.identifier, let word) where rejectedKeywords.contains(word.lowercased()):
        throw .invalidArgument(
          "body of function \(functionName) uses '\(word)'; a body may not read tables or"
            + " contain subqueries or statements")
      default: break
      }
    }
    guard depth == 0 else {
      throw .invalidArgument("body of function \(functionName) has an unmatched '('")
    }
  }

  /// Returns `body` in parentheses with each parameter identifier replaced by its column. An
  /// identifier after `.` or before `(` is a qualified name or a function call and is kept.
  public static func substitute(_ body: String, replacements: [String: String]) -> String {
    let tokens = tokenize(body).tokens
    var output = "("
    for (position, token) in tokens.enumerated() {
      guard token.kind == .identifier,
        let column = replacements[token.text.lowercased()],
        neighbor(of: position, in: tokens, step: -1) != ".",
        neighbor(of: position, in: tokens, step: 1) != "("
      else {
        output += token.text
        continue
      }
      output += quoteIfNeeded(column)
    }
    return output + ")"
  }

  /// Returns `name` as is when it is a plain identifier, else in double quotes.
  public static func quoteIfNeeded(_ name: String) -> String {
    isPlainIdentifier(name) ? name : "\"" + name.replacingDoubleQuotes() + "\""
  }

  public static func isPlainIdentifier(_ name: String) -> Bool {
    guard let first = name.first, first.isASCII, first.isLetter || first == "_" else {
      return false
    }
    return name.allSatisfy { $0.isASCII && isIdentifierCharacter($0) }
  }

  private static func isIdentifierCharacter(_ character: Character) -> Bool {
    character.isLetter || character.isNumber || character == "_"
  }

  /// Returns the index just past the quote that closes the one at `start`; a doubled quote
  /// character inside stands for itself.
  private static func closingQuote(in text: String, from start: String.Index) -> String.Index? {
    let quote = text[start]
    var index = text.index(after: start)
    while index < text.endIndex {
      if text[index] == quote {
        let next = text.index(after: index)
        guard next < text.endIndex, text[next] == quote else { return next }
        index = text.index(after: next)
      } else {
        index = text.index(after: index)
      }
    }
    return nil
  }

  private static func neighbor(of position: Int, in tokens: [Token], step: Int) -> Substring? {
    var index = position + step
    while index >= 0, index < tokens.count {
      if tokens[index].kind != .whitespace { return tokens[index].text }
      index += step
    }
    return nil
  }
}

extension String {
  fileprivate func replacingDoubleQuotes() -> String {
    var result = ""
    for character in self { result += character == "\"" ? "\"\"" : String(character) }
    return result
  }
}
