/// The rules of RFC 9113 section 8.2 for the fields of a request's header block and trailers.
/// nghttp2 checks them only with its HTTP messaging on, which cost about 3,000 instructions per
/// Check measured with callgrind. The server turns that off and checks here instead, once per
/// distinct field: a field whose bytes equal one already checked on the connection is not
/// checked again.
enum FieldSyntax {
  /// Returns why a regular (not pseudo-header) field is malformed, or nil when it is valid.
  static func problem(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>)
    -> String?
  {
    if let problem = nameProblem(name) { return problem }
    if isConnectionSpecific(name) {
      return "header \(quoted(name)) is specific to HTTP/1.1 connections; HTTP/2 forbids it,"
        + " so remove it"
    }
    return valueProblem(value, field: name)
  }

  /// Returns why a field name is invalid: empty, or with upper case, white space, a control
  /// character, a byte above 0x7E or a delimiter. RFC 9110 section 5.1 makes a name a token,
  /// which excludes the delimiters `"(),/:;<=>?@[\]{}`, as nghttp2's name check does.
  static func nameProblem(_ name: UnsafeBufferPointer<UInt8>) -> String? {
    guard !name.isEmpty else { return "a header has an empty name; every field needs a name" }
    for byte in name {
      if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") {
        return "header \(quoted(name)) has upper-case letters; HTTP/2 field names are lower-case"
      }
      if byte <= 0x20 || byte >= 0x7F || isDelimiter(byte) {
        return "header \(quoted(name)) has the byte 0x\(hex(byte)), which field names cannot"
          + " contain; use letters, digits and - _ . only"
      }
    }
    return nil
  }

  /// Returns why a field value is invalid: it contains NUL, CR or LF, or starts or ends with a
  /// space or a tab.
  static func valueProblem(
    _ value: UnsafeBufferPointer<UInt8>, field name: UnsafeBufferPointer<UInt8>
  ) -> String? {
    if let first = value.first, let last = value.last,
      isWhitespace(first) || isWhitespace(last)
    {
      return "the value of \(quoted(name)) starts or ends with white space; trim it"
    }
    guard containsNULOrLineBreak(UnsafeRawBufferPointer(value)) else { return nil }
    return "the value of \(quoted(name)) contains NUL, CR or LF, which field values cannot"
      + " contain; encode binary metadata in a -bin header"
  }

  /// Returns whether `bytes` contains 0x00, 0x0A or 0x0D, testing eight bytes at a time.
  static func containsNULOrLineBreak(_ bytes: UnsafeRawBufferPointer) -> Bool {
    var index = 0
    while bytes.count - index >= 8 {
      let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
      if hasZeroByte(word) || hasZeroByte(word ^ 0x0A0A_0A0A_0A0A_0A0A)
        || hasZeroByte(word ^ 0x0D0D_0D0D_0D0D_0D0D)
      {
        return true
      }
      index += 8
    }
    for byte in bytes[index...] where byte == 0 || byte == 0x0A || byte == 0x0D {
      return true
    }
    return false
  }

  /// Returns whether some byte of `word` is zero. The expression is exact for that question,
  /// though a borrow can mark the wrong byte, which does not matter here.
  private static func hasZeroByte(_ word: UInt64) -> Bool {
    (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080 != 0
  }

  /// Returns whether `name` is a field of HTTP/1.1 connection management, which RFC 9113
  /// section 8.2.2 forbids.
  private static func isConnectionSpecific(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
    RequestHead.equals(name, "connection") || RequestHead.equals(name, "keep-alive")
      || RequestHead.equals(name, "proxy-connection")
      || RequestHead.equals(name, "transfer-encoding") || RequestHead.equals(name, "upgrade")
  }

  /// Returns whether `byte` is one that RFC 9110 section 5.6.2 excludes from tokens besides
  /// white space and control characters.
  private static func isDelimiter(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "\""), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ","),
      UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: ";"), UInt8(ascii: "<"),
      UInt8(ascii: "="), UInt8(ascii: ">"), UInt8(ascii: "?"), UInt8(ascii: "@"),
      UInt8(ascii: "["), UInt8(ascii: "\\"), UInt8(ascii: "]"), UInt8(ascii: "{"),
      UInt8(ascii: "}"):
      true
    default:
      false
    }
  }

  private static func isWhitespace(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
  }

  /// Returns the bytes in double quotes, with bytes outside printable ASCII as `\xNN`, so that
  /// a message shows a bad name as it was sent.
  static func quoted(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    var text = "\""
    for byte in bytes.prefix(128) {
      if byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
        text.unicodeScalars.append(Unicode.Scalar(byte))
      } else {
        text += "\\x" + hex(byte)
      }
    }
    if bytes.count > 128 { text += "..." }
    return text + "\""
  }

  static func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF".utf8)
    return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
  }
}
