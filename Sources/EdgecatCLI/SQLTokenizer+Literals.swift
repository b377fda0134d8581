/// Numbers, comments and quoted literals.
extension SQLTokenizer {
  /// Reads digits, a fraction, an exponent and a type suffix such as the `L` of `10L`.
  mutating func readNumber() {
    while let next = peek(), isDigit(next) { advance() }
    if peek() == ".", let after = peek(1), isDigit(after) {
      advance()
      while let next = peek(), isDigit(next) { advance() }
    }
    if let e = peek(), e == "e" || e == "E" {
      let signed = peek(1) == "+" || peek(1) == "-"
      if let digit = peek(signed ? 2 : 1), isDigit(digit) {
        advance()
        if signed { advance() }
        while let next = peek(), isDigit(next) { advance() }
      }
    }
    while let next = peek(), next.properties.isAlphabetic { advance() }
  }

  mutating func skipSpaceAndComments() throws {
    while let scalar = peek() {
      if scalar.properties.isWhitespace {
        advance()
      } else if scalar == "-", peek(1) == "-" {
        sawComment = true
        while let next = peek(), next != "\n" { advance() }
      } else if scalar == "/", peek(1) == "*" {
        sawComment = true
        try skipBlockComment()
      } else {
        return
      }
    }
  }

  mutating func skipBlockComment() throws {
    let startLine = line
    var depth = 0
    repeat {
      guard let scalar = peek() else {
        throw CLIError.failure(
          "\(source.location(line: startLine)): the comment that starts here has no closing */")
      }
      if scalar == "/", peek(1) == "*" {
        depth += 1
        advance()
      } else if scalar == "*", peek(1) == "/" {
        depth -= 1
        advance()
      }
      advance()
    } while depth > 0
  }

  /// Reads a literal quoted by `quote`. A doubled quote stands for one; in strings, a
  /// backslash escapes the next character as Spark SQL reads it (`\n`, `\t`, `\\`, `\'`).
  mutating func quoted(by quote: Unicode.Scalar, kind: String) throws -> String {
    let startLine = line
    advance()
    var value = String.UnicodeScalarView()
    while true {
      guard let scalar = peek() else {
        throw CLIError.failure(
          "\(source.location(line: startLine)): the \(kind) that starts here has no closing"
            + " \(quote)")
      }
      advance()
      if scalar == quote {
        guard peek() == quote else { break }
        advance()
        value.append(quote)
      } else if scalar == "\\", quote != "`", let escaped = peek() {
        advance()
        switch escaped {
        case "n": value.append("\n")
        case "t": value.append("\t")
        case "r": value.append("\r")
        default: value.append(escaped)
        }
      } else {
        value.append(scalar)
      }
    }
    return String(value)
  }
}
