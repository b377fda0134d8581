/// Unsigned LEB128 integers (7 bits a byte, low bits first, the high bit set on every byte but
/// the last) and text as its UTF-8 length then its bytes, for compact stored encodings.
public enum LEB128 {
  public static func append(_ value: UInt64, to bytes: inout [UInt8]) {
    var rest = value
    while rest >= 0x80 {
      bytes.append(UInt8(rest & 0x7f) | 0x80)
      rest >>= 7
    }
    bytes.append(UInt8(rest))
  }

  /// Appends `value - previous`, wrapping, as a zigzag varint, so that a small step either way
  /// takes one byte. `LEB128Reader.delta(from:)` reads it back.
  public static func appendDelta(_ value: UInt64, from previous: UInt64, to bytes: inout [UInt8]) {
    let delta = Int64(bitPattern: value &- previous)
    append(UInt64(bitPattern: (delta << 1) ^ (delta >> 63)), to: &bytes)
  }

  public static func append(_ text: String, to bytes: inout [UInt8]) {
    var text = text
    text.withUTF8 { utf8 in
      append(UInt64(utf8.count), to: &bytes)
      bytes.append(contentsOf: utf8)
    }
  }
}

/// Reads what `LEB128` wrote, front to back; every read returns nil past the end or on a
/// malformed value.
public struct LEB128Reader {
  private let bytes: [UInt8]
  public private(set) var index: Int

  public init(_ bytes: [UInt8], from index: Int = 0) {
    self.bytes = bytes
    self.index = index
  }

  public var isAtEnd: Bool { index >= bytes.count }

  public mutating func integer() -> UInt64? {
    var value: UInt64 = 0
    var shift: UInt64 = 0
    while index < bytes.count, shift < 64 {
      let byte = bytes[index]
      index += 1
      value |= UInt64(byte & 0x7f) << shift
      if byte & 0x80 == 0 { return value }
      shift += 7
    }
    return nil
  }

  /// Reads what `LEB128.appendDelta` wrote and returns `previous` plus that delta, wrapping.
  public mutating func delta(from previous: UInt64) -> UInt64? {
    guard let zigzag = integer() else { return nil }
    return previous &+ ((zigzag >> 1) ^ (0 &- (zigzag & 1)))
  }

  public mutating func byte() -> UInt8? {
    guard index < bytes.count else { return nil }
    defer { index += 1 }
    return bytes[index]
  }

  /// Eight bytes, little endian.
  public mutating func fixed64() -> UInt64? {
    guard bytes.count - index >= 8 else { return nil }
    var value: UInt64 = 0
    for offset in 0..<8 { value |= UInt64(bytes[index + offset]) << UInt64(8 * offset) }
    index += 8
    return value
  }

  public mutating func text() -> String? {
    guard let length = integer(), length <= UInt64(bytes.count - index) else { return nil }
    let start = index
    index += Int(length)
    return String(decoding: bytes[start..<index], as: UTF8.self)
  }
}
