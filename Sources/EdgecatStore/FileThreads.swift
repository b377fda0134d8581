import Glibc

/// A few pthreads that run blocking file work (writes, reads, fsync) for async callers, so
/// that it never occupies a thread of Swift's cooperative pool. Jobs run in the order they
/// were queued, on whichever thread is free. Thread-safe.
public final class FileThreads: @unchecked Sendable {
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  // Guarded by `mutex`.
  private var jobs: [@Sendable () -> Void] = []
  private var stopping = false

  /// Starts `count` threads, at least one. They run until `stop`, which the owner must call.
  public init(count: Int) {
    precondition(pthread_mutex_init(mutex, nil) == 0, "pthread_mutex_init failed")
    precondition(pthread_cond_init(condition, nil) == 0, "pthread_cond_init failed")
    for _ in 0..<max(1, count) { spawnWorker() }
  }

  deinit {
    pthread_cond_destroy(condition)
    pthread_mutex_destroy(mutex)
    condition.deallocate()
    mutex.deallocate()
  }

  /// Runs `body` on one of the threads and resumes the caller with its result. After `stop`,
  /// it throws `FileError` without running `body`.
  public func run<T: Sendable>(_ body: @escaping @Sendable () throws(FileError) -> T)
    async throws(FileError) -> T
  {
    let result: Result<T, FileError> = await withCheckedContinuation { continuation in
      let accepted = enqueue { continuation.resume(returning: Result(catching: body)) }
      if !accepted {
        continuation.resume(
          returning: .failure(FileError(operation: "queueing file work", path: "", code: ECANCELED))
        )
      }
    }
    return try result.get()
  }

  /// Lets the threads finish the queued jobs and exit. Later `run` calls fail.
  public func stop() {
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

  private func spawnWorker() {
    let context = Unmanaged.passRetained(self).toOpaque()
    var thread = pthread_t()
    let result = pthread_create(
      &thread, nil,
      { argument in
        let threads = Unmanaged<FileThreads>.fromOpaque(argument!).takeRetainedValue()
        while let job = threads.take() { job() }
        return nil
      }, context)
    // With default attributes pthread_create(3) fails only with EAGAIN: no thread or memory.
    precondition(result == 0, "pthread_create failed: \(String(cString: strerror(result)))")
    pthread_detach(thread)
  }
}
