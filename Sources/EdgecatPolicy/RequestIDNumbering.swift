/// Splits the request ids of one decision batch that end in 16 lower-case hex digits into a
/// prefix, kept once, and a 64-bit number, so that the batch stores a step of the number.
/// Ids from one server share their prefix and count up, so a step takes a byte or two.
struct RequestIDNumbering {
  static let digitCount = 16

  private(set) var prefixes: [String] = []
  private var indexes: [String: Int] = [:]
  private var previousNumbers: [UInt64] = []
  /// The prefix of the previous numbered id, compared before hashing.
  private var lastIndex: Int?

  /// Returns the index of `requestID`'s prefix, its number and the previous number with that
  /// prefix (0 for the first), and records the number as the previous one. Returns nil for an
  /// id that does not end in the digits, or whose prefix would exceed the batch's limit.
  mutating func number(_ requestID: String) -> (prefix: Int, number: UInt64, previous: UInt64)? {
    let utf8 = requestID.utf8
    guard let number = Self.trailingNumber(utf8) else { return nil }
    let prefixBytes = utf8.prefix(utf8.count - Self.digitCount)
    let index: Int
    if let last = lastIndex, prefixes[last].utf8.elementsEqual(prefixBytes) {
      index = last
    } else {
      // The digits are ASCII, so the bytes before them end on a character boundary.
      let prefix = String(decoding: prefixBytes, as: UTF8.self)
      if let known = indexes[prefix] {
        index = known
      } else {
        guard prefixes.count < DecisionBatch.maximumRequestIDPrefixes else { return nil }
        index = prefixes.count
        prefixes.append(prefix)
        indexes[prefix] = index
        previousNumbers.append(0)
      }
      lastIndex = index
    }
    let previous = previousNumbers[index]
    previousNumbers[index] = number
    return (index, number, previous)
  }

  /// The number that the last 16 bytes of `utf8` spell as lower-case hex digits, or nil.
  static func trailingNumber(_ utf8: String.UTF8View) -> UInt64? {
    guard utf8.count >= digitCount else { return nil }
    var number: UInt64 = 0
    for byte in utf8.suffix(digitCount) {
      let digit: UInt8
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte &- UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte &- UInt8(ascii: "a") &+ 10
      default: return nil
      }
      number = number << 4 | UInt64(digit)
    }
    return number
  }

  /// The request id with `prefix` and `number`, as `number(_:)` split it.
  static func requestID(prefix: String, number: UInt64) -> String {
    let digits = String(number, radix: 16)
    return prefix + String(repeating: "0", count: digitCount - digits.count) + digits
  }
}
