/// A recursive descent over the bytes of one JSON document.
struct JSONParser {
  let bytes: [UInt8]
  var offset = 0

  /// Nesting deeper than this is rejected, so a hostile file cannot exhaust the stack.
  static let maximumDepth = 512

  func error(_ what: String) -> CLIError {
    CLIError.usage("invalid JSON at byte \(offset): \(what)")
  }

  mutating func skipWhitespace() {
    while offset < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[offset]) { offset += 1 }
  }

  mutating func value(depth: Int) throws -> JSONValue {
    guard depth < Self.maximumDepth else { throw error("nested too deeply") }
    guard offset < bytes.count else { throw error("expected a value, found the end") }
    switch bytes[offset] {
    case UInt8(ascii: "{"): return try object(depth: depth)
    case UInt8(ascii: "["): return try array(depth: depth)
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"): return try literal("true", .bool(true))
    case UInt8(ascii: "f"): return try literal("false", .bool(false))
    case UInt8(ascii: "n"): return try literal("null", .null)
    default: return try number()
    }
  }

  private mutating func literal(_ word: String, _ value: JSONValue) throws -> JSONValue {
    let expected = Array(word.utf8)
    guard bytes[offset...].starts(with: expected) else { throw error("expected \(word)") }
    offset += expected.count
    return value
  }

  private mutating func expect(_ character: Character) throws {
    guard offset < bytes.count, bytes[offset] == character.asciiValue else {
      throw error("expected '\(character)'")
    }
    offset += 1
  }

  private mutating func object(depth: Int) throws -> JSONValue {
    offset += 1
    var pairs: [(String, JSONValue)] = []
    skipWhitespace()
    if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") {
      offset += 1
      return .object(pairs)
    }
    while true {
      skipWhitespace()
      guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else {
        throw error("expected a key in quotes")
      }
      let key = try string()
      skipWhitespace()
      try expect(":")
      skipWhitespace()
      pairs.append((key, try value(depth: depth + 1)))
      skipWhitespace()
      guard offset < bytes.count, bytes[offset] == UInt8(ascii: ",") else { break }
      offset += 1
    }
    try expect("}")
    return .object(pairs)
  }

  private mutating func array(depth: Int) throws -> JSONValue {
    offset += 1
    var elements: [JSONValue] = []
    skipWhitespace()
    if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
      offset += 1
      return .array(elements)
    }
    while true {
      skipWhitespace()
      elements.append(try value(depth: depth + 1))
      skipWhitespace()
      guard offset < bytes.count, bytes[offset] == UInt8(ascii: ",") else { break }
      offset += 1
    }
    try expect("]")
    return .array(elements)
  }

  private mutating func number() throws -> JSONValue {
    let start = offset
    let allowed = Array("+-0123456789.eE".utf8)
    while offset < bytes.count, allowed.contains(bytes[offset]) { offset += 1 }
    let text = String(decoding: bytes[start..<offset], as: UTF8.self)
    guard !text.isEmpty, Double(text) != nil, text.first != "+", !text.hasPrefix(".") else {
      offset = start
      throw error("expected a value")
    }
    return .number(text)
  }

  private mutating func string() throws -> String {
    offset += 1
    var scalars = String.UnicodeScalarView()
    var run: [UInt8] = []
    while offset < bytes.count {
      let byte = bytes[offset]
      if byte == UInt8(ascii: "\"") {
        scalars.append(contentsOf: String(decoding: run, as: UTF8.self).unicodeScalars)
        offset += 1
        return String(scalars)
      }
      guard byte >= 0x20 else { throw error("control character in a string") }
      guard byte == UInt8(ascii: "\\") else {
        run.append(byte)
        offset += 1
        continue
      }
      scalars.append(contentsOf: String(decoding: run, as: UTF8.self).unicodeScalars)
      run = []
      scalars.append(try escape())
    }
    throw error("string without a closing quote")
  }

  /// Reads one escape after a backslash; a surrogate pair of \u escapes is one scalar.
  private mutating func escape() throws -> Unicode.Scalar {
    offset += 1
    guard offset < bytes.count else { throw error("escape at the end") }
    let byte = bytes[offset]
    offset += 1
    switch byte {
    case UInt8(ascii: "\""): return "\""
    case UInt8(ascii: "\\"): return "\\"
    case UInt8(ascii: "/"): return "/"
    case UInt8(ascii: "b"): return "\u{08}"
    case UInt8(ascii: "f"): return "\u{0C}"
    case UInt8(ascii: "n"): return "\n"
    case UInt8(ascii: "r"): return "\r"
    case UInt8(ascii: "t"): return "\t"
    case UInt8(ascii: "u"):
      var code = try hex4()
      if (0xD800..<0xDC00).contains(code), bytes[offset...].starts(with: Array("\\u".utf8)) {
        offset += 2
        let low = try hex4()
        guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate escape") }
        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
      }
      guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
      return scalar
    default:
      offset -= 1
      throw error("invalid escape")
    }
  }

  private mutating func hex4() throws -> UInt32 {
    guard offset + 4 <= bytes.count,
      let code = UInt32(String(decoding: bytes[offset..<offset + 4], as: UTF8.self), radix: 16)
    else { throw error("expected 4 hex digits") }
    offset += 4
    return code
  }
}
