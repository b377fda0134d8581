/// Formats numbers, byte counts and durations for tables and progress lines.
enum NumberText {
  /// Rounds `value` to `digits` decimals, such as `12.35` for 12.3456 and 2.
  static func fixed(_ value: Double, digits: Int) -> String {
    guard value.isFinite else { return "\(value)" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    let whole = (scaled / scale).rounded(.down)
    var text = (value < 0 && scaled > 0 ? "-" : "") + String(Int64(whole))
    guard digits > 0 else { return text }
    let fraction = String(Int64(scaled - whole * scale))
    text += "." + String(repeating: "0", count: digits - fraction.count) + fraction
    return text
  }

  /// Returns a table cell format that rounds a number to `digits` decimals. Other values print
  /// as they are, and null as `-`.
  static func column(digits: Int) -> @Sendable (JSONValue) -> String {
    { value in
      switch value {
      case .null: return "-"
      case .number(let text): return Double(text).map { fixed($0, digits: digits) } ?? text
      default: return value.cellText
      }
    }
  }

  /// A table cell format that prints a fraction such as 0.9412 as `94.1%`, and null as `-`.
  static let percent: @Sendable (JSONValue) -> String = { value in
    guard case .number(let text) = value, let fraction = Double(text) else { return "-" }
    return fixed(fraction * 100, digits: 1) + "%"
  }

  /// Formats a byte count with a binary unit, such as `12.3 MiB`.
  static func bytes(_ count: Int64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(count)
    var unit = 0
    while value >= 1024 && unit < units.count - 1 {
      value /= 1024
      unit += 1
    }
    if unit == 0 { return "\(count) B" }
    return "\((value * 10).rounded() / 10) \(units[unit])"
  }

  /// Formats seconds as `42s`, `3m05s` or `1h02m`.
  static func duration(_ seconds: Double) -> String {
    let whole = Int(seconds.rounded(.up))
    if whole < 60 { return "\(whole)s" }
    if whole < 3600 { return "\(whole / 60)m" + pad(whole % 60) + "s" }
    return "\(whole / 3600)h" + pad(whole % 3600 / 60) + "m"
  }

  private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
