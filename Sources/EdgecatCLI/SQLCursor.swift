/// A position in the tokens of one statement, with the reads the parser builds on. Every
/// failed expectation is an error naming the line and what was found.
struct SQLCursor {
  let tokens: [SQLToken]
  let source: SQLSource
  var index = 0

  var atEnd: Bool { index >= tokens.count }

  func peek(_ offset: Int = 0) -> SQLToken? {
    index + offset < tokens.count ? tokens[index + offset] : nil
  }

  /// Returns whether the next tokens are the keywords `words`, in any case.
  func isNext(_ words: String...) -> Bool {
    words.enumerated().allSatisfy { offset, word in peek(offset)?.isKeyword(word) == true }
  }

  func isNextSymbol(_ symbol: String) -> Bool { peek()?.isSymbol(symbol) == true }

  /// Consumes the keywords `words` if they come next, and returns whether they did.
  mutating func accept(_ words: String...) -> Bool {
    let matches = words.enumerated().allSatisfy { offset, word in
      peek(offset)?.isKeyword(word) == true
    }
    if matches { index += words.count }
    return matches
  }

  mutating func acceptSymbol(_ symbol: String) -> Bool {
    guard isNextSymbol(symbol) else { return false }
    index += 1
    return true
  }

  mutating func expect(_ words: String..., context: String) throws {
    for word in words {
      guard peek()?.isKeyword(word) == true else { throw unexpected("\(word) \(context)") }
      index += 1
    }
  }

  mutating func expectSymbol(_ symbol: String, context: String) throws {
    guard acceptSymbol(symbol) else { throw unexpected("\"\(symbol)\" \(context)") }
  }

  mutating func next() -> SQLToken? {
    defer { index += 1 }
    return peek()
  }

  /// Reads an identifier: a word or a backquoted name. A string literal in its place, such as
  /// a name in double quotes, fails with a hint to use backquotes.
  mutating func identifier(_ expected: String) throws -> String {
    guard let token = peek(), token.kind == .word || token.kind == .quotedIdentifier else {
      if let token = peek(), token.kind == .string {
        throw error(
          "expected \(expected), found the string \(token.quoted); quote names with backquotes,"
            + " such as `\(token.text)`")
      }
      throw unexpected(expected)
    }
    index += 1
    return token.text
  }

  /// Reads a dotted name of exactly `parts` identifiers, such as CATALOG.SCHEMA.TABLE.
  mutating func name(parts count: Int, kind: String) throws -> [String] {
    let line = peek()?.line
    var parts = [try identifier("the \(kind) name")]
    while acceptSymbol(".") { parts.append(try identifier("a name part after \".\"")) }
    guard parts.count == count else {
      let shape = NameArguments.shape(parts: count, kind: kind)
      throw error(
        "\(kind) name \(parts.joined(separator: ".")) has \(parts.count) part"
          + (parts.count == 1 ? "" : "s") + "; write the full name \(shape)", line: line)
    }
    return parts
  }

  /// Reads a principal: a backquoted name, a word or a string literal.
  mutating func principal() throws -> String {
    guard let token = peek(), [.word, .quotedIdentifier, .string].contains(token.kind) else {
      throw unexpected("a principal such as `data-engineers`")
    }
    index += 1
    return token.text
  }

  mutating func string(_ expected: String) throws -> String {
    guard let token = peek(), token.kind == .string else { throw unexpected(expected) }
    index += 1
    return token.text
  }

  /// Reads `( item, item, ... )`, each item parsed by `item`; `()` gives no items.
  mutating func parenthesized<Item>(_ context: String, _ item: (inout SQLCursor) throws -> Item)
    throws -> [Item]
  {
    try expectSymbol("(", context: context)
    var items: [Item] = []
    if acceptSymbol(")") { return items }
    repeat { items.append(try item(&self)) } while acceptSymbol(",")
    try expectSymbol(")", context: "to close the list \(context)")
    return items
  }

  /// Fails unless the statement ended.
  func expectEnd(_ statement: String) throws {
    guard let token = peek() else { return }
    throw error(
      "unexpected \(token.quoted) after \(statement); end the statement with a semicolon")
  }

  /// Returns the error for a missing `expected`, naming the token found instead or the end of
  /// the statement.
  func unexpected(_ expected: String) -> CLIError {
    guard let token = peek() else {
      return error("expected \(expected), but the statement ends", line: tokens.last?.line)
    }
    return error("expected \(expected), found \(token.quoted)")
  }

  func error(_ message: String, line: Int? = nil) -> CLIError {
    let line = line ?? peek()?.line ?? tokens.last?.line ?? 1
    return CLIError.failure("\(source.location(line: line)): \(message)")
  }
}
