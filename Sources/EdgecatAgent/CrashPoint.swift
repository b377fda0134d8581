import Glibc
import Synchronization

/// Named places where the agent kills itself when `EDGECAT_CRASH_POINT` names them, so that
/// kill -9 tests can stop it at an exact step. The process exits with `_exit(137)`, the status
/// a shell reports for SIGKILL, without running any cleanup.
public enum CrashPoint {
  /// After a LogInference batch is committed, before the call returns.
  public static let afterSpoolCommit = "after-spool-commit"
  /// After telemetry acknowledged a batch, before the spool deletes it.
  public static let beforeAckDelete = "before-ack-delete"
  /// After the first chunk of a download is written and fsynced to the partial file.
  public static let afterDownloadPartial = "after-download-partial"
  /// After a verified model file is renamed into place, before it is assigned to the
  /// application.
  public static let afterModelRename = "after-model-rename"

  private static let armed: String? = {
    guard let value = getenv("EDGECAT_CRASH_POINT") else { return nil }
    return String(cString: value)
  }()

  /// Replaces the exit for tests in this process: the handler runs instead, and may throw to
  /// stop the step it interrupts.
  public typealias Handler = @Sendable (String) throws -> Void
  private static let testHandler = Mutex<Handler?>(nil)

  public static func setTestHandler(_ handler: Handler?) {
    testHandler.withLock { $0 = handler }
  }

  /// Exits the process when `name` is the armed crash point, or runs the test handler.
  public static func check(_ name: String) {
    try? checkThrowing(name)
  }

  /// `check`, letting the test handler's error through.
  public static func checkThrowing(_ name: String) throws {
    if let handler = testHandler.withLock({ $0 }) {
      try handler(name)
      return
    }
    guard armed == name else { return }
    _exit(137)
  }
}
