/// The profiles of an INI config file such as `~/.edgecat/config`:
///
///     [default]
///     policy_endpoint = 127.0.0.1:7401
///     token_file = ~/.edgecat/admin.token
///
///     [profile staging]
///     output = json
///
/// A section `[NAME]` or `[profile NAME]` starts a profile. Lines starting with `#` or `;`
/// are comments. Values are trimmed, and a value in double quotes loses the quotes.
public struct ProfileFile: Sendable {
  /// One `key = value` line: the value and its line number, for error messages.
  public struct Entry: Sendable {
    public let value: String
    public let line: Int
  }

  public let path: String
  public private(set) var profiles: [String: [String: Entry]] = [:]

  /// Parses `text`; a line that is neither a section, a key nor a comment fails naming
  /// `path` and the line.
  public init(path: String, text: String) throws {
    self.path = path
    var current: String?
    for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false)
      .enumerated()
    {
      let number = index + 1
      let line = rawLine.trimmingWhitespace()
      if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
      if line.hasPrefix("[") {
        guard line.hasSuffix("]") else {
          throw CLIError.usage("\(path):\(number): section \"\(line)\" has no closing ]")
        }
        var name = line.dropFirst().dropLast().trimmingWhitespace()
        if name.hasPrefix("profile ") { name = name.dropFirst(8).trimmingWhitespace() }
        guard !name.isEmpty else { throw CLIError.usage("\(path):\(number): empty section name") }
        current = name
        profiles[name, default: [:]] = profiles[name] ?? [:]
        continue
      }
      guard let equals = line.firstIndex(of: "=") else {
        throw CLIError.usage(
          "\(path):\(number): \"\(line)\" is not a [section] or key = value line")
      }
      guard let profile = current else {
        throw CLIError.usage(
          "\(path):\(number): key before the first section; start the file with [default]")
      }
      let key = line[..<equals].trimmingWhitespace().replacing("-", with: "_")
      var value = line[line.index(after: equals)...].trimmingWhitespace()
      if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
        value = String(value.dropFirst().dropLast())
      }
      profiles[profile, default: [:]][key] = Entry(value: value, line: number)
    }
  }
}

extension StringProtocol {
  func trimmingWhitespace() -> String {
    let characters = Array(self)
    var start = 0
    var end = characters.count
    while start < end, characters[start].isWhitespace { start += 1 }
    while end > start, characters[end - 1].isWhitespace { end -= 1 }
    return String(characters[start..<end])
  }
}
