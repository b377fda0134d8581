import Glibc

/// Where a command's output and errors go, and where it reads files and standard input.
public struct Console: Sendable {
  public var writeOutput: @Sendable (String) -> Void
  public var writeError: @Sendable (String) -> Void
  public var readStandardInput: @Sendable () throws -> String
  public var readFile: @Sendable (String) throws -> String
  public var standardInputIsTerminal: @Sendable () -> Bool
  /// Whether stderr is a terminal, where progress bars are drawn.
  public var standardErrorIsTerminal: @Sendable () -> Bool

  public init(
    writeOutput: @escaping @Sendable (String) -> Void,
    writeError: @escaping @Sendable (String) -> Void,
    readStandardInput: @escaping @Sendable () throws -> String,
    readFile: @escaping @Sendable (String) throws -> String,
    standardInputIsTerminal: @escaping @Sendable () -> Bool,
    standardErrorIsTerminal: @escaping @Sendable () -> Bool = { false }
  ) {
    self.writeOutput = writeOutput
    self.writeError = writeError
    self.readStandardInput = readStandardInput
    self.readFile = readFile
    self.standardInputIsTerminal = standardInputIsTerminal
    self.standardErrorIsTerminal = standardErrorIsTerminal
  }

  /// The process's stdout, stderr, stdin and file system.
  public static let standard = Console(
    writeOutput: { writeAll($0, to: 1) },
    writeError: { writeAll($0, to: 2) },
    readStandardInput: { try readAll(fd: 0, name: "standard input") },
    readFile: { path in
      let fd = open(path, O_RDONLY | O_CLOEXEC)
      guard fd >= 0 else {
        throw CLIError.failure("cannot open \(path): \(String(cString: strerror(errno)))")
      }
      defer { close(fd) }
      return try readAll(fd: fd, name: path)
    },
    standardInputIsTerminal: { isatty(0) == 1 },
    standardErrorIsTerminal: { isatty(2) == 1 })
}

/// Writes every byte of `text` to `fd`, retrying short writes and EINTR. A closed pipe ends
/// the write silently, because the reader no longer wants the output.
private func writeAll(_ text: String, to fd: Int32) {
  let bytes = Array(text.utf8)
  var offset = 0
  while offset < bytes.count {
    let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    if written < 0 && errno == EINTR { continue }
    guard written > 0 else { return }
    offset += written
  }
}

/// Reads `fd` to its end as UTF-8; invalid bytes fail naming `name`.
private func readAll(fd: Int32, name: String) throws -> String {
  var bytes: [UInt8] = []
  var buffer = [UInt8](repeating: 0, count: 65536)
  while true {
    let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    if count < 0 && errno == EINTR { continue }
    guard count >= 0 else {
      throw CLIError.failure("cannot read \(name): \(String(cString: strerror(errno)))")
    }
    if count == 0 { break }
    bytes += buffer[0..<count]
  }
  guard let text = String(validating: bytes, as: UTF8.self) else {
    throw CLIError.failure("\(name) is not valid UTF-8 text; save it as UTF-8")
  }
  return text
}
