import Glibc

enum LogFormat {
  /// Returns `value` as is, or in double quotes with `"` and `\` escaped when it is empty or
  /// contains a space, a quote, `=` or a control character, so a line splits back into fields.
  static func quoteIfNeeded(_ value: String) -> String {
    let needsQuotes =
      value.isEmpty
      || value.utf8.contains { $0 <= 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "=") }
    guard needsQuotes else { return value }
    var quoted = "\""
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\"": quoted += "\\\""
      case "\\": quoted += "\\\\"
      case "\n": quoted += "\\n"
      case "\t": quoted += "\\t"
      case "\r": quoted += "\\r"
      default:
        if scalar.value < 0x20 {
          quoted += "\\u{\(String(scalar.value, radix: 16))}"
        } else {
          quoted.unicodeScalars.append(scalar)
        }
      }
    }
    quoted += "\""
    return quoted
  }
}

enum LogClock {
  /// Returns the current UTC time as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
  static func timestamp() -> String {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    var seconds = now.tv_sec
    var parts = tm()
    gmtime_r(&seconds, &parts)
    let millis = Int(now.tv_nsec / 1_000_000)
    return "\(parts.tm_year + 1900)-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))"
      + "T\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2))"
      + ".\(pad(millis, 3))Z"
  }

  private static func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
  }
}

enum LogSink {
  /// Writes `line` to stderr with one `write(2)` call, retrying after a partial write.
  static func write(_ line: String) {
    var bytes = Array(line.utf8)
    bytes.withUnsafeMutableBytes { buffer in
      var offset = 0
      while offset < buffer.count {
        let written = Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          return
        }
        offset += written
      }
    }
  }
}
