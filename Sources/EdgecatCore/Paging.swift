/// Page sizes and page tokens of the list calls.
public enum Paging {
  public static let defaultPageSize = 100
  public static let maximumPageSize = 1000

  /// Returns the number of items a page holds: 0 means 100 and a size above 1000 is clamped to
  /// 1000. A negative size is INVALID_ARGUMENT.
  public static func limit(_ pageSize: Int) throws(ServiceError) -> Int {
    guard pageSize >= 0 else {
      throw .invalidArgument(
        "page_size \(pageSize) is negative; use 0 for the default of \(defaultPageSize), or a"
          + " size up to \(maximumPageSize)")
    }
    return pageSize == 0 ? defaultPageSize : min(pageSize, maximumPageSize)
  }

  /// Encodes the cursor of `list` as an opaque token: base64url without padding of
  /// `<list>:<cursor>`, so that a token of one list is rejected by another.
  public static func token(list: String, cursor: String) -> String {
    Base64URL.encode(Array((list + ":" + cursor).utf8))
  }

  /// Returns the cursor in `token`, or nil for an empty token, which starts at the first page.
  /// A token that is not one this list returned is INVALID_ARGUMENT.
  public static func cursor(in token: String, list: String) throws(ServiceError) -> String? {
    guard !token.isEmpty else { return nil }
    let prefix = list + ":"
    guard let bytes = Base64URL.decode(token), let text = String(validating: bytes, as: UTF8.self),
      text.hasPrefix(prefix)
    else {
      throw .invalidArgument(
        "page_token is malformed; pass the next_page_token of the previous page unchanged, or an"
          + " empty token for the first page")
    }
    return String(text.dropFirst(prefix.count))
  }
}

/// Base64url (RFC 4648 section 5) without padding.
public enum Base64URL {
  private static let alphabet = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

  private static let decodeTable: [Int8] = {
    var table = [Int8](repeating: -1, count: 256)
    for (index, byte) in alphabet.enumerated() { table[Int(byte)] = Int8(index) }
    return table
  }()

  public static func encode(_ bytes: [UInt8]) -> String {
    var output: [UInt8] = []
    output.reserveCapacity((bytes.count * 4 + 2) / 3)
    var index = 0
    while index < bytes.count {
      let count = min(3, bytes.count - index)
      var chunk = UInt32(bytes[index]) << 16
      if count > 1 { chunk |= UInt32(bytes[index + 1]) << 8 }
      if count > 2 { chunk |= UInt32(bytes[index + 2]) }
      for position in 0...count {
        output.append(alphabet[Int(chunk >> (18 - 6 * UInt32(position)) & 63)])
      }
      index += 3
    }
    return String(decoding: output, as: UTF8.self)
  }

  /// Returns the decoded bytes, or nil when `text` has a character outside the alphabet, a
  /// length no encoding produces, or unused bits that are not zero.
  public static func decode(_ text: String) -> [UInt8]? {
    let input = Array(text.utf8)
    guard input.count % 4 != 1 else { return nil }
    var output: [UInt8] = []
    output.reserveCapacity(input.count * 3 / 4)
    var index = 0
    while index < input.count {
      let count = min(4, input.count - index)
      var chunk: UInt32 = 0
      for position in 0..<4 {
        var value: Int8 = 0
        if position < count {
          value = decodeTable[Int(input[index + position])]
          guard value >= 0 else { return nil }
        }
        chunk = chunk << 6 | UInt32(value)
      }
      let decoded = [UInt8(chunk >> 16 & 255), UInt8(chunk >> 8 & 255), UInt8(chunk & 255)]
      let kept = count - 1
      guard decoded[kept...].allSatisfy({ $0 == 0 }) else { return nil }
      output.append(contentsOf: decoded[0..<kept])
      index += 4
    }
    return output
  }
}
