/// The time window of `edgecat metrics`: `--window`, or `--start` and `--end`.
struct MetricsWindow {
  /// Seconds since the epoch.
  var start: Double
  var end: Double
  /// Whether the flags set the window; when not, the service picks its default hour.
  var isExplicit: Bool

  static let flags = [
    FlagSpec(
      "window", value: "DURATION",
      help: "window ending now, such as 15m, 1h or 7d (default: 1h); instead of --start"),
    FlagSpec(
      "start", value: "TIME",
      help: "window start, UTC as YYYY-MM-DD HH:MM:SS or RFC 3339 (default: an hour before"
        + " --end)"),
    FlagSpec("end", value: "TIME", help: "window end, in the same format (default: now)"),
  ]

  /// Reads the window flags; bad text is a usage error naming the flag and the format.
  init(_ arguments: ParsedArguments, now: Double) throws {
    if let text = arguments["window"] {
      guard !arguments.has("start"), !arguments.has("end") else {
        throw CLIError.usage("give --window or --start and --end, not both")
      }
      end = now
      start = now - (try Self.duration(text, flag: "window"))
      isExplicit = true
      return
    }
    end = try arguments["end"].map { try Self.time($0, flag: "end") } ?? now
    start = try arguments["start"].map { try Self.time($0, flag: "start") } ?? end - 3600
    isExplicit = arguments.has("start") || arguments.has("end")
    guard start < end else {
      throw CLIError.usage(
        "--start \(TimeText.format(start)) is not before the end \(TimeText.format(end));"
          + " give a start before the end")
    }
  }

  static func duration(_ text: String, flag: String) throws -> Double {
    guard let seconds = TimeText.duration(text), seconds >= 1, seconds <= 366 * 86400 else {
      throw CLIError.usage(
        "--\(flag) \"\(text)\" is invalid; use a number and s, m, h or d, such as 15m or 1h,"
          + " up to 366d")
    }
    return seconds
  }

  static func time(_ text: String, flag: String) throws -> Double {
    guard let seconds = TimeText.parse(text) else {
      throw CLIError.usage(
        "--\(flag) \"\(text)\" is invalid; use UTC as YYYY-MM-DD HH:MM:SS, or RFC 3339 such as"
          + " 2026-05-01T12:00:00Z")
    }
    return seconds
  }
}
