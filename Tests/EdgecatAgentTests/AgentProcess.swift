import Glibc

/// The built `edgecat-agent` executable run as a child process, its output in a log file, so
/// that kill -9 tests can stop it at a crash point and start it again on the same folder.
final class AgentProcess: @unchecked Sendable {
  let pid: pid_t
  let logPath: String

  /// The `edgecat-agent` next to this test bundle, where `swift build --build-tests` puts it.
  static let binary: String = {
    var buffer = [UInt8](repeating: 0, count: 4096)
    let count = readlink("/proc/self/exe", &buffer, buffer.count)
    let executable =
      count > 0
      ? String(decoding: buffer[..<count], as: UTF8.self) : CommandLine.arguments[0]
    let folder = executable.split(separator: "/", omittingEmptySubsequences: false).dropLast()
      .joined(separator: "/")
    return folder + "/edgecat-agent"
  }()

  /// Starts the agent with `arguments`, adding `environment` to this process's environment.
  init(arguments: [String], environment: [String: String], logPath: String) throws {
    self.logPath = logPath
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    var variables = ProcessEnvironmentCopy.current().filter { entry in
      !environment.keys.contains { entry.hasPrefix($0 + "=") }
    }
    variables += environment.map { "\($0.key)=\($0.value)" }
    let argv: [UnsafeMutablePointer<CChar>?] =
      ([Self.binary] + arguments).map { strdup($0) } + [nil]
    let envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup($0) } + [nil]
    defer {
      for pointer in argv + envp { free(pointer) }
    }
    var pid: pid_t = 0
    let result = posix_spawn(&pid, Self.binary, &actions, nil, argv, envp)
    guard result == 0 else {
      throw SpawnFailure(description: "posix_spawn of \(Self.binary) failed: \(result)")
    }
    self.pid = pid
  }

  /// Waits for the process to exit, polling every 20 ms, and returns its exit status, or
  /// 128 plus the signal that killed it.
  func waitForExit() async -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, WNOHANG) == 0 {
      try? await Task.sleep(for: .milliseconds(20))
    }
    let signal = status & 0x7f
    return signal != 0 ? 128 + signal : (status >> 8) & 0xff
  }

  /// Sends SIGTERM and waits for the exit status.
  func stop() async -> Int32 {
    kill(pid, SIGTERM)
    return await waitForExit()
  }

  /// The agent's log so far.
  var log: String { String(decoding: readFile(logPath), as: UTF8.self) }
}

struct SpawnFailure: Error, CustomStringConvertible {
  let description: String
}

enum ProcessEnvironmentCopy {
  static func current() -> [String] {
    var result: [String] = []
    var pointer = environ
    while let entry = pointer.pointee {
      result.append(String(cString: entry))
      pointer += 1
    }
    return result
  }
}

/// Reads a file's text, without surrounding whitespace; empty when it cannot be read.
func readText(_ path: String) -> String {
  String(decoding: readFile(path), as: UTF8.self).filter { !$0.isNewline && $0 != " " }
}

/// Writes `text` to a new file at `path`, mode 0600.
func writeText(_ text: String, to path: String) {
  let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
  precondition(descriptor >= 0, "cannot create \(path): errno \(errno)")
  let bytes = Array(text.utf8)
  _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
  close(descriptor)
}
