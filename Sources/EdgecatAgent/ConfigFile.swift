import EdgecatFlags
import Glibc

/// A settings file of `name = value` lines, as INI files write them: names are flag names
/// (`data-dir` or `data_dir`), `#` and `;` start comment lines, `[section]` headers are
/// ignored, and values may be wrapped in double quotes.
enum ConfigFile {
  /// Returns the settings by flag name. An unreadable file, a line without `=` or an unknown
  /// name is a `UsageError` naming the file and line.
  static func read(_ path: String, knownFlags: [Flag]) throws(UsageError) -> [(String, String)] {
    let text = try contents(path)
    let known = Set(knownFlags.map(\.name)).subtracting(["config"])
    var settings: [(String, String)] = []
    for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false)
      .enumerated()
    {
      let line = rawLine.trimmingWhitespace()
      if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") || line.hasPrefix("[") {
        continue
      }
      guard let equals = line.firstIndex(of: "=") else {
        throw UsageError(
          message: "\(path) line \(index + 1) has no '='; write settings as name = value")
      }
      let name = String(line[..<equals].trimmingWhitespace().map { $0 == "_" ? "-" : $0 })
      var value = line[line.index(after: equals)...].trimmingWhitespace()
      if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
        value = value.dropFirst().dropLast()
      }
      guard known.contains(name) else {
        throw UsageError(
          message: "\(path) line \(index + 1) sets unknown setting \"\(name)\"; run"
            + " edgecat-agent --help for the list")
      }
      settings.append((name, String(value)))
    }
    return settings
  }

  private static func contents(_ path: String) throws(UsageError) -> String {
    guard let file = fopen(path, "r") else {
      throw UsageError(
        message: "cannot open config file \(path): \(String(cString: strerror(errno)))")
    }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let count = fread(&buffer, 1, buffer.count, file)
      bytes += buffer[0..<count]
      if count < buffer.count { break }
      guard bytes.count <= 1 << 20 else {
        throw UsageError(message: "config file \(path) is larger than 1 MiB")
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}

extension StringProtocol {
  fileprivate func trimmingWhitespace() -> SubSequence {
    let start = firstIndex { !$0.isWhitespace } ?? endIndex
    let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? start
    return self[start..<Swift.max(start, end)]
  }
}
