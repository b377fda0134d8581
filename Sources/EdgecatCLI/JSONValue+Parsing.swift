extension JSONValue {
  /// Parses JSON text (RFC 8259). A syntax error names the byte offset where it starts.
  public static func parse(_ text: String) throws -> JSONValue {
    var parser = JSONParser(bytes: Array(text.utf8))
    parser.skipWhitespace()
    let value = try parser.value(depth: 0)
    parser.skipWhitespace()
    guard parser.offset == parser.bytes.count else { throw parser.error("unexpected text") }
    return value
  }

  /// The array's elements; nil for other values.
  public var arrayValue: [JSONValue]? {
    guard case .array(let elements) = self else { return nil }
    return elements
  }

  /// The string's text; nil for other values.
  public var stringValue: String? {
    guard case .string(let text) = self else { return nil }
    return text
  }
}
