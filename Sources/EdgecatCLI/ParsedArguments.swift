/// The flags and positional arguments given to one verb.
public struct ParsedArguments: Sendable {
  /// Values by flag name; a switch that was given has one empty value.
  var flagValues: [String: [String]] = [:]
  public var positionals: [String] = []
  /// The command as typed, such as `edgecat catalog create`, for messages.
  public var commandName: String = "edgecat"

  /// The last value given for `name`, or nil.
  public subscript(name: String) -> String? { flagValues[name]?.last }

  /// Every value given for a repeatable flag, in order.
  public func all(_ name: String) -> [String] { flagValues[name] ?? [] }

  /// Whether a switch or flag was given.
  public func has(_ name: String) -> Bool { flagValues[name] != nil }

  /// The positional argument at `index`, or nil.
  public func positional(_ index: Int) -> String? {
    index < positionals.count ? positionals[index] : nil
  }

  /// The value of `name` as an integer in `range`; a usage error names the flag otherwise.
  public func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
    guard let text = self[name] else { return nil }
    guard let value = Int(text), range.contains(value) else {
      throw CLIError.usage(
        "--\(name) \"\(text)\" is invalid; use a whole number from \(range.lowerBound) to"
          + " \(range.upperBound)")
    }
    return value
  }

  /// `KEY=VALUE` values of a repeatable flag as a dictionary.
  public func pairs(_ name: String) throws -> [String: String] {
    var result: [String: String] = [:]
    for text in all(name) {
      guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
        throw CLIError.usage("--\(name) \"\(text)\" is invalid; use KEY=VALUE")
      }
      result[String(text[..<equals])] = String(text[text.index(after: equals)...])
    }
    return result
  }
}
