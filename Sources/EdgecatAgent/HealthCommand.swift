import Glibc

/// A shell command that gates a newly loaded model: it runs with `/bin/sh -c`, with the model
/// in `EDGECAT_MODEL_PATH`, `EDGECAT_MODEL_NAME` and `EDGECAT_MODEL_VERSION`, and the model
/// counts as healthy only when it exits 0 within `timeout`.
public struct HealthCommand: Sendable {
  public let command: String
  public let timeout: Duration

  public init(command: String, timeout: Duration = .seconds(60)) {
    self.command = command
    self.timeout = timeout
  }

  /// The outcome: nil when healthy, else the reason.
  typealias Verdict = String?

  /// Runs the command and waits for it; blocks, so it must run on a `FileWorker`.
  func run(model: InstalledModel, path: String) -> Verdict {
    var environment = ProcessEnvironmentList.current()
    environment.append("EDGECAT_MODEL_PATH=\(path)")
    environment.append("EDGECAT_MODEL_NAME=\(model.modelFullName)")
    environment.append("EDGECAT_MODEL_VERSION=\(model.version)")
    let arguments = ["/bin/sh", "-c", command]
    var pid: pid_t = 0
    let result = withCStrings(arguments) { argv in
      withCStrings(environment) { envp in posix_spawn(&pid, "/bin/sh", nil, nil, argv, envp) }
    }
    guard result == 0 else {
      return "the health command could not start: \(String(cString: strerror(result)))"
    }
    return wait(for: pid)
  }

  /// Polls the child every 20 ms until it exits or the timeout passes, then kills it.
  private func wait(for pid: pid_t) -> Verdict {
    let deadline = ContinuousClock.now + timeout
    var status: Int32 = 0
    while true {
      let waited = waitpid(pid, &status, WNOHANG)
      if waited == pid { break }
      if waited < 0 && errno != EINTR {
        return "waiting for the health command failed: \(String(cString: strerror(errno)))"
      }
      if ContinuousClock.now >= deadline {
        kill(pid, SIGKILL)
        _ = waitpid(pid, &status, 0)
        return "the health command did not exit within \(timeout)"
      }
      usleep(20_000)
    }
    // The wait status layout of Linux: the low 7 bits are the signal, the next 8 the code.
    let signal = status & 0x7f
    if signal != 0 { return "the health command was killed by signal \(signal)" }
    let code = (status >> 8) & 0xff
    return code == 0 ? nil : "the health command exited with status \(code)"
  }
}

/// The process environment as `NAME=value` strings.
enum ProcessEnvironmentList {
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

/// Calls `body` with a NULL-terminated array of C strings copied from `strings`.
private func withCStrings<Result>(
  _ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> Result
) -> Result {
  let copies: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
  defer { for copy in copies { free(copy) } }
  return body(copies)
}
