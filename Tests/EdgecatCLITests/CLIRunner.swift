import Foundation

/// What one run of the `edgecat` binary printed and how it exited.
struct CLIResult: Sendable {
  let status: Int32
  let stdout: String
  let stderr: String

  /// Stdout parsed as one JSON document.
  func json() throws -> [String: Any] {
    guard let object = try parsedJSON() as? [String: Any] else {
      throw CLIFailure("stdout is not a JSON object: \(stdout)")
    }
    return object
  }

  /// Stdout parsed as one JSON array of objects.
  func jsonArray() throws -> [[String: Any]] {
    guard let array = try parsedJSON() as? [[String: Any]] else {
      throw CLIFailure("stdout is not a JSON array of objects: \(stdout)")
    }
    return array
  }

  private func parsedJSON() throws -> Any {
    try JSONSerialization.jsonObject(with: Data(stdout.utf8), options: [.fragmentsAllowed])
  }

  /// The lines of stdout.
  var lines: [String] { stdout.split(separator: "\n").map(String.init) }
}

/// Runs the `edgecat` executable of this build with output captured in files, so that a
/// full pipe can never block it, and waits on a thread of its own, off the test's pool.
///
/// It spawns with posix_spawn rather than Foundation's `Process`, whose `run()` in
/// swift-corelibs-foundation 6.3.1 can crash reading /proc/self/fd (fixed upstream in
/// swift-corelibs-foundation pull request 5472).
enum CLIRunner {
  /// The built `edgecat`: `EDGECAT_CLI` when set, else the one next to this test bundle,
  /// which `swift build --build-tests` puts in the same folder.
  static let binary: String = {
    if let path = ProcessInfo.processInfo.environment["EDGECAT_CLI"] { return path }
    let executable =
      (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? CommandLine.arguments[0]
    return URL(fileURLWithPath: executable).deletingLastPathComponent()
      .appendingPathComponent("edgecat").path
  }()

  static func run(_ arguments: [String], environment: [String: String], input: String? = nil)
    async throws -> CLIResult
  {
    guard FileManager.default.isExecutableFile(atPath: binary) else {
      throw CLIFailure(
        "no edgecat binary at \(binary); run swift build --build-tests first or set EDGECAT_CLI")
    }
    let folder = try temporaryFolder("edgecat-cli-run")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let stdinPath = folder + "/stdin"
    try (input ?? "").write(toFile: stdinPath, atomically: false, encoding: .utf8)

    let pid = try spawn(
      [binary] + arguments, environment: environment,
      files: [
        (0, stdinPath, O_RDONLY), (1, folder + "/stdout", O_WRONLY | O_CREAT | O_TRUNC),
        (2, folder + "/stderr", O_WRONLY | O_CREAT | O_TRUNC),
      ])
    let status = await wait(for: pid)
    return CLIResult(
      status: status,
      stdout: (try? String(contentsOfFile: folder + "/stdout", encoding: .utf8)) ?? "",
      stderr: (try? String(contentsOfFile: folder + "/stderr", encoding: .utf8)) ?? "")
  }

  /// Starts `command` with each listed descriptor opened on a file, and returns its pid.
  private static func spawn(
    _ command: [String], environment: [String: String], files: [(Int32, String, Int32)]
  ) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for (descriptor, path, flags) in files {
      posix_spawn_file_actions_addopen(&actions, descriptor, path, flags, 0o600)
    }
    let argv = command.map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      for pointer in argv + envp { free(pointer) }
    }
    var pid = pid_t()
    let result = posix_spawn(&pid, command[0], &actions, nil, argv, envp)
    guard result == 0 else {
      throw CLIFailure("posix_spawn \(command[0]) failed: \(String(cString: strerror(result)))")
    }
    return pid
  }

  /// Waits for `pid` to exit on a new thread and returns its exit status, or 128 plus the
  /// signal that ended it.
  private static func wait(for pid: pid_t) async -> Int32 {
    await withCheckedContinuation { continuation in
      Thread.detachNewThread {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        continuation.resume(returning: signal == 0 ? (status >> 8) & 0xff : 128 + signal)
      }
    }
  }
}
