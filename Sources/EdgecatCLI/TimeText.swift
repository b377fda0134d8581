import Glibc

/// UTC times as the services write them, "YYYY-MM-DD HH:MM:SS[.SSS]", and RFC 3339 text, as
/// seconds since the Unix epoch.
enum TimeText {
  /// Parses "YYYY-MM-DD HH:MM:SS[.fraction]" in UTC, or RFC 3339 such as
  /// "2026-05-01T12:00:00Z" or "...+02:00"; nil for other text.
  static func parse(_ text: String) -> Double? {
    let scalars = Array(text.utf8)
    guard scalars.count >= 19, scalars[4] == UInt8(ascii: "-"), scalars[7] == UInt8(ascii: "-"),
      scalars[10] == UInt8(ascii: " ") || scalars[10] == UInt8(ascii: "T")
        || scalars[10] == UInt8(ascii: "t"),
      scalars[13] == UInt8(ascii: ":"), scalars[16] == UInt8(ascii: ":")
    else { return nil }
    func number(_ range: Range<Int>) -> Int? {
      Int(String(decoding: scalars[range], as: UTF8.self))
    }
    guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
      let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
      (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
    else { return nil }
    var index = 19
    var fraction = 0.0
    if index < scalars.count, scalars[index] == UInt8(ascii: ".") {
      let start = index
      index += 1
      while index < scalars.count, (48...57).contains(scalars[index]) { index += 1 }
      fraction = Double("0" + String(decoding: scalars[start..<index], as: UTF8.self)) ?? 0
    }
    var offset = 0
    let zone = String(decoding: scalars[index...], as: UTF8.self)
    switch zone {
    case "", "Z", "z": break
    default:
      let sign = zone.first == "-" ? -1 : 1
      let parts = zone.dropFirst().split(separator: ":")
      guard zone.first == "+" || zone.first == "-", parts.count == 2,
        let hours = Int(parts[0]), let minutes = Int(parts[1])
      else { return nil }
      offset = sign * (hours * 3600 + minutes * 60)
    }
    var fields = tm()
    fields.tm_year = Int32(year - 1900)
    fields.tm_mon = Int32(month - 1)
    fields.tm_mday = Int32(day)
    fields.tm_hour = Int32(hour)
    fields.tm_min = Int32(minute)
    fields.tm_sec = Int32(second)
    return Double(timegm(&fields) - offset) + fraction
  }

  /// Formats seconds since the epoch as "YYYY-MM-DD HH:MM:SS" in UTC.
  static func format(_ seconds: Double) -> String {
    var time = time_t(seconds.rounded(.down))
    var fields = tm()
    gmtime_r(&time, &fields)
    func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return "\(fields.tm_year + 1900)-\(two(fields.tm_mon + 1))-\(two(fields.tm_mday))"
      + " \(two(fields.tm_hour)):\(two(fields.tm_min)):\(two(fields.tm_sec))"
  }

  /// Returns the current time in seconds since the epoch (CLOCK_REALTIME).
  static func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
  }

  /// Parses a duration such as `90s`, `15m`, `1h` or `7d` into seconds; nil for other text.
  static func duration(_ text: String) -> Double? {
    guard let unit = text.last, let count = Double(text.dropLast()), count > 0 else { return nil }
    switch unit {
    case "s": return count
    case "m": return count * 60
    case "h": return count * 3600
    case "d": return count * 86400
    default: return nil
    }
  }

  /// Says how long ago `text` was, such as `12s ago` or `3h ago`; `never` for empty text and
  /// the text itself when it does not parse.
  static func ago(_ text: String, now: Double) -> String {
    guard !text.isEmpty else { return "never" }
    guard let time = parse(text) else { return text }
    let seconds = max(0, now - time)
    if seconds < 120 { return "\(Int(seconds))s ago" }
    if seconds < 7200 { return "\(Int(seconds / 60))m ago" }
    if seconds < 172_800 { return "\(Int(seconds / 3600))h ago" }
    return "\(Int(seconds / 86400))d ago"
  }
}
