import Glibc

/// One pthread that runs blocking file work (writes, fsync, hashing, process waits) for async
/// callers, so that it never occupies a thread of Swift's cooperative pool. Jobs run one at a
/// time in the order they were queued. Thread-safe.
final class FileWorker: @unchecked Sendable {
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  // Guarded by `mutex`.
  private var jobs: [@Sendable () -> Void] = []
  private var stopping = false

  /// Starts the thread; it runs until `stop`.
  init() {
    precondition(pthread_mutex_init(mutex, nil) == 0, "pthread_mutex_init failed")
    precondition(pthread_cond_init(condition, nil) == 0, "pthread_cond_init failed")
    spawn()
  }

  deinit {
    pthread_cond_destroy(condition)
    pthread_mutex_destroy(mutex)
    condition.deallocate()
    mutex.deallocate()
  }

  /// Runs `body` on the thread and resumes the caller with its result. After `stop`, it
  /// throws `FileError` with ECANCELED without running `body`.
  func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    let result: Result<T, any Error> = await withCheckedContinuation { continuation in
      let accepted = enqueue { continuation.resume(returning: Result(catching: body)) }
      if !accepted {
        continuation.resume(
          returning: .failure(FileError(operation: "queueing file work", path: "", code: ECANCELED))
        )
      }
    }
    return try result.get()
  }

  /// Lets the thread finish the queued jobs and exit. Later `run` calls fail.
  func stop() {
    pthread_mutex_lock(mutex)
    stopping = true
    pthread_cond_broadcast(condition)
    pthread_mutex_unlock(mutex)
  }

  private func enqueue(_ job: @escaping @Sendable () -> Void) -> Bool {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    guard !stopping else { return false }
    jobs.append(job)
    pthread_cond_signal(condition)
    return true
  }

  /// Blocks until a job is queued and removes it. Returns nil once stopping and drained.
  private func take() -> (@Sendable () -> Void)? {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    while jobs.isEmpty && !stopping { pthread_cond_wait(condition, mutex) }
    return jobs.isEmpty ? nil : jobs.removeFirst()
  }

  private func spawn() {
    let context = Unmanaged.passRetained(self).toOpaque()
    var thread = pthread_t()
    let result = pthread_create(
      &thread, nil,
      { argument in
        let worker = Unmanaged<FileWorker>.fromOpaque(argument!).takeRetainedValue()
        while let job = worker.take() { job() }
        return nil
      }, context)
    // With default attributes pthread_create(3) fails only with EAGAIN: no thread or memory.
    precondition(result == 0, "pthread_create failed: \(String(cString: strerror(result)))")
    pthread_detach(thread)
  }
}

/// A failed file system call: the operation, the path and the errno.
public struct FileError: Error, Sendable, CustomStringConvertible {
  /// The operation that failed, such as "writing the partial download".
  public let operation: String
  public let path: String
  /// The errno value the call failed with.
  public let code: Int32

  public init(operation: String, path: String, code: Int32) {
    self.operation = operation
    self.path = path
    self.code = code
  }

  /// Returns the error of the system call that just failed, from `errno`.
  static func last(_ operation: String, _ path: String) -> FileError {
    FileError(operation: operation, path: path, code: errno)
  }

  public var description: String {
    "\(operation) failed for \(path): \(String(cString: strerror(code))) (errno \(code))"
  }
}
