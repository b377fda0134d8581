/// The `grpc-timeout` header: at most 8 ASCII digits followed by a unit, one of H (hours),
/// M (minutes), S (seconds), m (milliseconds), u (microseconds) or n (nanoseconds).
enum GRPCTimeout {
  /// Parses a header value into nanoseconds, or returns nil when it is malformed.
  static func parse(_ value: String) -> UInt64? {
    let bytes = Array(value.utf8)
    guard bytes.count >= 2, bytes.count <= 9 else { return nil }
    var amount: UInt64 = 0
    for digit in bytes.dropLast() {
      guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
      amount = amount * 10 + UInt64(digit - UInt8(ascii: "0"))
    }
    let nanosecondsPerUnit: UInt64
    switch bytes.last! {
    case UInt8(ascii: "H"): nanosecondsPerUnit = 3_600_000_000_000
    case UInt8(ascii: "M"): nanosecondsPerUnit = 60_000_000_000
    case UInt8(ascii: "S"): nanosecondsPerUnit = 1_000_000_000
    case UInt8(ascii: "m"): nanosecondsPerUnit = 1_000_000
    case UInt8(ascii: "u"): nanosecondsPerUnit = 1_000
    case UInt8(ascii: "n"): nanosecondsPerUnit = 1
    default: return nil
    }
    let (product, overflow) = amount.multipliedReportingOverflow(by: nanosecondsPerUnit)
    return overflow ? UInt64.max : product
  }

  /// Formats nanoseconds with the finest unit whose amount fits in 8 digits, rounding up so the
  /// peer never receives a shorter deadline than the caller set.
  static func format(nanoseconds: UInt64) -> String {
    let units: [(UInt64, String)] = [
      (1, "n"), (1_000, "u"), (1_000_000, "m"), (1_000_000_000, "S"), (60_000_000_000, "M"),
      (3_600_000_000_000, "H"),
    ]
    for (size, unit) in units {
      let amount = (nanoseconds + size - 1) / size
      if amount <= 99_999_999 { return "\(amount)\(unit)" }
    }
    return "99999999H"
  }
}

/// Percent-encoding of `grpc-message`: bytes outside printable ASCII, and `%` itself, are sent
/// as `%XX` of their UTF-8 encoding.
enum PercentEncoding {
  static func encode(_ message: String) -> String {
    var output = [UInt8]()
    output.reserveCapacity(message.utf8.count)
    let hex = Array("0123456789ABCDEF".utf8)
    for byte in message.utf8 {
      if byte >= 0x20, byte <= 0x7E, byte != UInt8(ascii: "%") {
        output.append(byte)
      } else {
        output.append(UInt8(ascii: "%"))
        output.append(hex[Int(byte >> 4)])
        output.append(hex[Int(byte & 0x0F)])
      }
    }
    return String(decoding: output, as: UTF8.self)
  }

  /// Decodes `%XX` sequences. A malformed sequence is kept as it is, as the gRPC HTTP/2
  /// protocol description requires.
  static func decode(_ value: String) -> String {
    let bytes = Array(value.utf8)
    var output = [UInt8]()
    output.reserveCapacity(bytes.count)
    var index = 0
    while index < bytes.count {
      if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
        let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
      {
        output.append(high << 4 | low)
        index += 3
      } else {
        output.append(bytes[index])
        index += 1
      }
    }
    return String(decoding: output, as: UTF8.self)
  }

  private static func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
  }
}
