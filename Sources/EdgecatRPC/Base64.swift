/// Standard base64 (RFC 4648 section 4), as gRPC uses for `-bin` metadata values.
enum Base64 {
  private static let alphabet = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

  private static let decodeTable: [Int8] = {
    var table = [Int8](repeating: -1, count: 256)
    for (index, byte) in alphabet.enumerated() { table[Int(byte)] = Int8(index) }
    return table
  }()

  /// Encodes with padding, which every gRPC implementation accepts.
  static func encode(_ bytes: [UInt8]) -> String {
    var output = [UInt8]()
    output.reserveCapacity((bytes.count + 2) / 3 * 4)
    var index = 0
    while index + 3 <= bytes.count {
      let chunk =
        UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
      output.append(alphabet[Int(chunk >> 18 & 63)])
      output.append(alphabet[Int(chunk >> 12 & 63)])
      output.append(alphabet[Int(chunk >> 6 & 63)])
      output.append(alphabet[Int(chunk & 63)])
      index += 3
    }
    let remaining = bytes.count - index
    if remaining > 0 {
      var chunk = UInt32(bytes[index]) << 16
      if remaining == 2 { chunk |= UInt32(bytes[index + 1]) << 8 }
      output.append(alphabet[Int(chunk >> 18 & 63)])
      output.append(alphabet[Int(chunk >> 12 & 63)])
      output.append(remaining == 2 ? alphabet[Int(chunk >> 6 & 63)] : UInt8(ascii: "="))
      output.append(UInt8(ascii: "="))
    }
    return String(decoding: output, as: UTF8.self)
  }

  /// Decodes with or without padding. Returns nil for any character outside the alphabet and
  /// for a length that leaves one character over, as `A` alone does.
  static func decode(_ text: String) -> [UInt8]? {
    var output = [UInt8]()
    var accumulator: UInt32 = 0
    var bits = 0
    var sawPadding = false
    for byte in text.utf8 {
      if byte == UInt8(ascii: "=") {
        sawPadding = true
        continue
      }
      let value = decodeTable[Int(byte)]
      if value < 0 || sawPadding { return nil }
      accumulator = accumulator << 6 | UInt32(value)
      bits += 6
      if bits >= 8 {
        bits -= 8
        output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
      }
    }
    // Six bits left over means one character past a group of four, which encodes no byte.
    if bits == 6 { return nil }
    return output
  }
}
