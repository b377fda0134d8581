import Glibc

/// Severity of a log line, lowest first.
public enum LogLevel: Int, Comparable, Sendable, CaseIterable {
  case debug, info, warning, error

  public init?(name: String) {
    switch name.lowercased() {
    case "debug": self = .debug
    case "info": self = .info
    case "warning", "warn": self = .warning
    case "error": self = .error
    default: return nil
    }
  }

  public var name: String {
    switch self {
    case .debug: "debug"
    case .info: "info"
    case .warning: "warning"
    case .error: "error"
    }
  }

  public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A logger that writes one line per event to stderr:
/// `2026-12-04T16:20:01.123Z info server started component=rpc listen=127.0.0.1:7401`.
///
/// Messages are constant text; everything that varies goes in key=value fields. Values with
/// spaces, quotes or `=` are written in double quotes. Each line is one `write(2)` call, so lines
/// from different threads do not interleave. Thread-safe.
public struct Logger: Sendable {
  public let component: String

  /// Fields added to every line of this logger, after `component`.
  public var metadata: [(String, String)] = []

  public init(component: String) {
    self.component = component
  }

  /// The minimum level written, for the whole process. Defaults to info.
  public static var level: LogLevel {
    get { LogLevel(rawValue: Int(globalLevel.load())) ?? .info }
    set { globalLevel.store(Int32(newValue.rawValue)) }
  }

  /// Returns a copy of this logger that adds `fields` to every line.
  public func with(_ fields: KeyValuePairs<String, any CustomStringConvertible>) -> Logger {
    var copy = self
    for (key, value) in fields { copy.metadata.append((key, value.description)) }
    return copy
  }

  public func isEnabled(_ level: LogLevel) -> Bool { level >= Logger.level }

  public func debug(
    _ message: String, _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:]
  ) {
    log(.debug, message, fields)
  }

  public func info(
    _ message: String, _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:]
  ) {
    log(.info, message, fields)
  }

  public func warning(
    _ message: String, _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:]
  ) {
    log(.warning, message, fields)
  }

  public func error(
    _ message: String, _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:]
  ) {
    log(.error, message, fields)
  }

  public func log(
    _ level: LogLevel, _ message: String,
    _ fields: KeyValuePairs<String, any CustomStringConvertible>
  ) {
    guard isEnabled(level) else { return }
    var line = LogClock.timestamp()
    line += " "
    line += level.name
    line += " "
    line += message
    appendField(&line, "component", component)
    for (key, value) in metadata { appendField(&line, key, value) }
    for (key, value) in fields { appendField(&line, key, value.description) }
    line += "\n"
    LogSink.write(line)
  }

  private func appendField(_ line: inout String, _ key: String, _ value: String) {
    line += " "
    line += key
    line += "="
    line += LogFormat.quoteIfNeeded(value)
  }
}
