/// Validation of string field bytes: well-formed UTF-8 with no NUL byte.
enum UTF8Check {
  /// Returns the first problem in `bytes`, or nil when they are well-formed UTF-8 without NUL.
  ///
  /// Well-formed means as defined by Unicode 15 table 3-7: no overlong forms, no surrogates and
  /// nothing above U+10FFFF.
  static func problem(in bytes: UnsafeRawBufferPointer) -> WireFault.Problem? {
    var index = 0
    let count = bytes.count
    while index < count {
      // Eight ASCII bytes without NUL at a time: no byte has its high bit set, and
      // subtracting 1 from each byte borrows into a byte's high bit only where it was 0.
      if count - index >= 8 {
        let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        let highBits: UInt64 = 0x8080_8080_8080_8080
        if (word | (word &- 0x0101_0101_0101_0101)) & highBits == 0 {
          index += 8
          continue
        }
      }
      let lead = bytes[index]
      if lead < 0x80 {
        if lead == 0 {
          return .nulByte
        }
        index += 1
        continue
      }
      let length: Int
      var low: UInt8 = 0x80
      var high: UInt8 = 0xBF
      switch lead {
      case 0xC2...0xDF:
        length = 2
      case 0xE0:
        length = 3
        low = 0xA0
      case 0xE1...0xEC, 0xEE...0xEF:
        length = 3
      case 0xED:
        length = 3
        high = 0x9F
      case 0xF0:
        length = 4
        low = 0x90
      case 0xF1...0xF3:
        length = 4
      case 0xF4:
        length = 4
        high = 0x8F
      default:
        return .invalidUTF8
      }
      guard count - index >= length else {
        return .invalidUTF8
      }
      let second = bytes[index + 1]
      guard second >= low, second <= high else {
        return .invalidUTF8
      }
      for continuation in (index + 2)..<(index + length) where bytes[continuation] & 0xC0 != 0x80 {
        return .invalidUTF8
      }
      index += length
    }
    return nil
  }
}
