import EdgecatStore

/// One thread that runs the agent's blocking file work (writes, fsync, hashing, process waits)
/// for async callers, off Swift's cooperative pool: a `FileThreads` of one thread whose jobs
/// may throw any error. Jobs run one at a time in the order they were queued. Thread-safe.
final class FileWorker: Sendable {
  private let thread = FileThreads(count: 1)

  /// Runs `body` on the thread and resumes the caller with its result. After `stop`, it
  /// throws `FileError` without running `body`.
  func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    let result = try await thread.run { () throws(FileError) -> Result<T, any Error> in
      Result(catching: body)
    }
    return try result.get()
  }

  /// Lets the thread finish the queued jobs and exit. Later `run` calls fail.
  func stop() {
    thread.stop()
  }
}
