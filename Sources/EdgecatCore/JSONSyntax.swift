/// The first place where a text breaks the JSON grammar of RFC 8259.
public struct JSONSyntaxError: Error, Equatable, Sendable {
  /// The offset in UTF-8 bytes of the first byte that breaks the grammar, or the text's
  /// length when the text ends too early.
  public let offset: Int
  /// What was expected and what was found, such as "expected ':' after an object key, found 'x'".
  public let message: String
}

/// Checks that a text is one JSON value by the strict grammar of RFC 8259: no comments, no
/// trailing commas, no single quotes, no leading zeros, no control characters inside strings,
/// and only space, tab, LF and CR as whitespace. It builds no values.
// NOTE: escapes of unpaired UTF-16 surrogates such as "\ud800" pass, as the RFC's grammar
// allows them, though some parsers reject them.
public enum JSONSyntax {
  /// Throws the first syntax error of `text`. Nesting depth is bounded only by memory, because
  /// the open containers are kept on a stack of their own, not the call stack.
  public static func validate(_ text: String) throws(JSONSyntaxError) {
    var scanner = JSONScanner(bytes: Array(text.utf8))
    try scanner.scanDocument()
  }
}

private struct JSONScanner {
  enum Container { case object, array }

  let bytes: [UInt8]
  var index = 0
  var open: [Container] = []

  mutating func scanDocument() throws(JSONSyntaxError) {
    try scanValues()
    skipWhitespace()
    if index < bytes.count { throw failure("expected the end of the text after the value") }
  }

  /// Scans one value, with every value nested in it.
  mutating func scanValues() throws(JSONSyntaxError) {
    while true {
      skipWhitespace()
      guard let byte = current else { throw failure("expected a value") }
      switch byte {
      case UInt8(ascii: "{"):
        index += 1
        skipWhitespace()
        if current == UInt8(ascii: "}") {
          index += 1
        } else {
          open.append(.object)
          try scanKey()
          continue
        }
      case UInt8(ascii: "["):
        index += 1
        skipWhitespace()
        if current == UInt8(ascii: "]") {
          index += 1
        } else {
          open.append(.array)
          continue
        }
      case UInt8(ascii: "\""):
        try scanString()
      case UInt8(ascii: "t"):
        try scanLiteral("true")
      case UInt8(ascii: "f"):
        try scanLiteral("false")
      case UInt8(ascii: "n"):
        try scanLiteral("null")
      case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
        try scanNumber()
      default:
        throw failure("expected a value")
      }

      // A value ended, so the containers it closes end too, until one goes on with a comma.
      guard try scanAfterValue() else { return }
    }
  }

  /// Scans what follows a value inside its containers: their closing brackets, up to a comma
  /// that starts the next value. Returns false when the outermost value is complete.
  mutating func scanAfterValue() throws(JSONSyntaxError) -> Bool {
    while let container = open.last {
      skipWhitespace()
      let closing = container == .object ? UInt8(ascii: "}") : UInt8(ascii: "]")
      if current == UInt8(ascii: ",") {
        index += 1
        if container == .object {
          skipWhitespace()
          try scanKey()
        }
        return true
      }
      guard current == closing else {
        throw failure(
          container == .object
            ? "expected ',' or '}' after an object member"
            : "expected ',' or ']' after an array element")
      }
      index += 1
      open.removeLast()
    }
    return false
  }

  /// Scans an object key and the colon after it.
  mutating func scanKey() throws(JSONSyntaxError) {
    guard current == UInt8(ascii: "\"") else { throw failure("expected a string as object key") }
    try scanString()
    skipWhitespace()
    guard current == UInt8(ascii: ":") else { throw failure("expected ':' after an object key") }
    index += 1
  }

  mutating func scanString() throws(JSONSyntaxError) {
    index += 1
    while let byte = current {
      switch byte {
      case UInt8(ascii: "\""):
        index += 1
        return
      case UInt8(ascii: "\\"):
        index += 1
        try scanEscape()
      case 0..<0x20:
        throw failure("expected an escape such as \\n in place of a control character in a string")
      default:
        index += 1
      }
    }
    throw failure("expected '\"' to end the string")
  }

  mutating func scanEscape() throws(JSONSyntaxError) {
    guard let byte = current else { throw failure("expected an escape character after '\\'") }
    switch byte {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
      UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
      index += 1
    case UInt8(ascii: "u"):
      index += 1
      for _ in 0..<4 {
        guard let digit = current, digit.isHexDigit else {
          throw failure("expected 4 hexadecimal digits after \\u")
        }
        index += 1
      }
    default:
      throw failure("expected one of \" \\ / b f n r t u after '\\'")
    }
  }

  mutating func scanLiteral(_ word: String) throws(JSONSyntaxError) {
    for expected in word.utf8 {
      guard current == expected else { throw failure("expected \(word)") }
      index += 1
    }
  }

  /// Scans `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
  mutating func scanNumber() throws(JSONSyntaxError) {
    if current == UInt8(ascii: "-") { index += 1 }
    if current == UInt8(ascii: "0") {
      index += 1
      if let byte = current, byte.isDigit {
        throw failure("expected no leading zero in a number")
      }
    } else {
      try scanDigits(after: "the number's sign")
    }
    if current == UInt8(ascii: ".") {
      index += 1
      try scanDigits(after: "a decimal point")
    }
    if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
      index += 1
      if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
      try scanDigits(after: "an exponent")
    }
  }

  mutating func scanDigits(after place: String) throws(JSONSyntaxError) {
    guard let first = current, first.isDigit else {
      throw failure("expected a digit after \(place)")
    }
    index += 1
    while let byte = current, byte.isDigit { index += 1 }
  }

  mutating func skipWhitespace() {
    while let byte = current,
      byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    {
      index += 1
    }
  }

  var current: UInt8? { index < bytes.count ? bytes[index] : nil }

  /// The error at the current byte, naming that byte or the end of the text.
  func failure(_ expectation: String) -> JSONSyntaxError {
    let found: String
    if let byte = current {
      if byte >= 0x21 && byte < 0x7F {
        found = "found '\(Character(Unicode.Scalar(byte)))'"
      } else {
        found = "found byte 0x\(String(byte, radix: 16, uppercase: true))"
      }
    } else {
      found = "found the end of the text"
    }
    return JSONSyntaxError(offset: index, message: "\(expectation), \(found)")
  }
}

extension UInt8 {
  fileprivate var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }

  fileprivate var isHexDigit: Bool {
    isDigit || (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "f"))
      || (self >= UInt8(ascii: "A") && self <= UInt8(ascii: "F"))
  }
}
