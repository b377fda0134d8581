import Glibc

/// One command-line flag: `--name VALUE` or `--name=VALUE`, also read from the environment
/// variable `EDGECAT_NAME` (upper case, dashes as underscores). A flag given on the command line
/// wins over the environment, and the environment over the default.
public struct Flag: Sendable {
  public let name: String
  /// The help text: the setting the flag controls and its unit.
  public let help: String
  public let defaultValue: String?
  /// Whether the flag may be given more than once.
  public let repeatable: Bool

  public init(
    _ name: String, default defaultValue: String? = nil, repeatable: Bool = false,
    help: String
  ) {
    self.name = name
    self.help = help
    self.defaultValue = defaultValue
    self.repeatable = repeatable
  }

  /// The environment variable that sets this flag, such as `EDGECAT_DATA_DIR` for `data-dir`.
  public var environmentName: String {
    "EDGECAT_" + name.uppercased().replacingDashes()
  }
}

/// Values of a program's flags after parsing.
public struct ParsedFlags: Sendable {
  var values: [String: [String]]

  /// The last value given for `name`, or its default.
  public subscript(name: String) -> String? { values[name]?.last }

  /// Returns every value given for a repeatable flag, in order.
  public func all(_ name: String) -> [String] { values[name] ?? [] }
}

/// A usage error: the message names the flag and the value, and the program exits with 2.
public struct UsageError: Error, Sendable, CustomStringConvertible {
  public let message: String
  public var description: String { message }

  public init(message: String) {
    self.message = message
  }
}

/// Parses `--flag VALUE` arguments against a list of known flags, with `EDGECAT_*` environment
/// variables as fallbacks.
public struct FlagParser: Sendable {
  public let program: String
  public let summary: String
  public let flags: [Flag]

  public init(program: String, summary: String, flags: [Flag]) {
    self.program = program
    self.summary = summary
    self.flags = flags
  }

  public var usage: String {
    var text =
      "usage: \(program) [flags]\n\n\(summary)\n\nflags (each also as an environment variable):\n"
    for flag in flags {
      var line = "  --\(flag.name) VALUE"
      line += String(repeating: " ", count: max(1, 34 - line.count))
      line += flag.help
      if let value = flag.defaultValue { line += " (default \(value))" }
      if flag.repeatable { line += "; repeatable" }
      text += line + "\n" + String(repeating: " ", count: 34) + flag.environmentName + "\n"
    }
    return text
  }

  /// Parses `arguments` (without the program name) and the environment.
  public func parse(_ arguments: [String], environment: [String: String] = ProcessEnvironment.all)
    throws(UsageError) -> ParsedFlags
  {
    var given: [String: [String]] = [:]
    var remaining = arguments[...]
    while let argument = remaining.popFirst() {
      guard argument.hasPrefix("--") else {
        throw UsageError(message: "unexpected argument \"\(argument)\"; flags start with --")
      }
      var name = String(argument.dropFirst(2))
      var value: String?
      if let equals = name.firstIndex(of: "=") {
        value = String(name[name.index(after: equals)...])
        name = String(name[..<equals])
      }
      guard let flag = flags.first(where: { $0.name == name }) else {
        throw UsageError(message: "unknown flag --\(name); run \(program) --help for the list")
      }
      if value == nil {
        guard let next = remaining.popFirst() else {
          throw UsageError(message: "flag --\(name) needs a value")
        }
        value = next
      }
      if !flag.repeatable && given[name] != nil {
        throw UsageError(message: "flag --\(name) was given twice")
      }
      given[name, default: []].append(value!)
    }
    var values: [String: [String]] = [:]
    for flag in flags {
      if let fromArguments = given[flag.name] {
        values[flag.name] = fromArguments
      } else if let fromEnvironment = environment[flag.environmentName] {
        values[flag.name] =
          flag.repeatable
          ? fromEnvironment.split(separator: ",").map(String.init) : [fromEnvironment]
      } else if let defaultValue = flag.defaultValue {
        values[flag.name] = [defaultValue]
      }
    }
    return ParsedFlags(values: values)
  }
}

/// The process environment as a dictionary.
public enum ProcessEnvironment {
  public static var all: [String: String] {
    var result: [String: String] = [:]
    var pointer = environ
    while let entry = pointer.pointee {
      let text = String(cString: entry)
      if let equals = text.firstIndex(of: "=") {
        result[String(text[..<equals])] = String(text[text.index(after: equals)...])
      }
      pointer += 1
    }
    return result
  }
}

extension String {
  fileprivate func replacingDashes() -> String {
    String(map { $0 == "-" ? "_" : $0 })
  }
}
