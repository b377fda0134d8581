/// Splits the request ids of one decision batch that end in 16 lower-case hex digits into a
/// prefix, kept once, and a 64-bit number, so that the batch stores a step of the number.
/// Ids from one server share their prefix and count up, so a step takes a byte or two.
struct RequestIDNumbering {
  static let digitCount = 16

  private(set) var prefixes: [String] = []
  /// The UTF-8 bytes of each prefix, in the order of `prefixes`.
  private var prefixBytes: [[UInt8]] = []
  private var indexes: [String: Int] = [:]
  private var previousNumbers: [UInt64] = []
  /// The prefix of the previous numbered id, compared before hashing.
  private var lastIndex: Int?

  /// Returns the index of `requestID`'s prefix, its number and the previous number with that
  /// prefix (0 for the first), and records the number as the previous one. Returns nil for an
  /// id that does not end in the digits, or whose prefix would exceed the batch's limit.
  mutating func number(_ requestID: String) -> (prefix: Int, number: UInt64, previous: UInt64)? {
    var requestID = requestID
    return requestID.withUTF8 { utf8 in number(utf8) }
  }

  private mutating func number(_ utf8: UnsafeBufferPointer<UInt8>)
    -> (prefix: Int, number: UInt64, previous: UInt64)?
  {
    guard let number = Self.trailingNumber(utf8) else { return nil }
    // The digits are ASCII, so the bytes before them end on a character boundary.
    let prefix = UnsafeBufferPointer(rebasing: utf8[..<(utf8.count - Self.digitCount)])
    let index: Int
    if let last = lastIndex, Self.equal(prefixBytes[last], prefix) {
      index = last
    } else {
      let text = String(decoding: prefix, as: UTF8.self)
      if let known = indexes[text] {
        index = known
      } else {
        guard prefixes.count < DecisionBatch.maximumRequestIDPrefixes else { return nil }
        index = prefixes.count
        prefixes.append(text)
        prefixBytes.append(Array(prefix))
        indexes[text] = index
        previousNumbers.append(0)
      }
      lastIndex = index
    }
    let previous = previousNumbers[index]
    previousNumbers[index] = number
    return (index, number, previous)
  }

  /// Returns the number that the last 16 bytes of `utf8` spell in lower-case hex, or nil.
  static func trailingNumber(_ utf8: UnsafeBufferPointer<UInt8>) -> UInt64? {
    guard utf8.count >= digitCount else { return nil }
    var number: UInt64 = 0
    for offset in (utf8.count - digitCount)..<utf8.count {
      let byte = utf8[offset]
      let digit: UInt8
      if byte &- UInt8(ascii: "0") < 10 {
        digit = byte &- UInt8(ascii: "0")
      } else if byte &- UInt8(ascii: "a") < 6 {
        digit = byte &- UInt8(ascii: "a") &+ 10
      } else {
        return nil
      }
      number = number << 4 | UInt64(digit)
    }
    return number
  }

  private static func equal(_ stored: [UInt8], _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard stored.count == bytes.count else { return false }
    return stored.withUnsafeBufferPointer { stored in
      for offset in 0..<stored.count where stored[offset] != bytes[offset] { return false }
      return true
    }
  }

  /// Returns the request id that `number(_:)` split into `prefix` and `number`.
  static func requestID(prefix: String, number: UInt64) -> String {
    let digits = String(number, radix: 16)
    return prefix + String(repeating: "0", count: digitCount - digits.count) + digits
  }
}
