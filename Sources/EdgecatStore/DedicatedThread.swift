import Glibc

/// Starting and joining pthreads that run outside Swift's cooperative thread pool.
enum DedicatedThread {
  private final class Start {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
  }

  /// Starts a joinable pthread that runs `body`.
  static func spawn(_ body: @escaping @Sendable () -> Void) -> pthread_t {
    let start = Unmanaged.passRetained(Start(body)).toOpaque()
    var thread = pthread_t()
    let result = pthread_create(
      &thread, nil,
      { argument in
        let start = Unmanaged<Start>.fromOpaque(argument!).takeRetainedValue()
        start.body()
        return nil
      }, start)
    // With default attributes pthread_create(3) fails only with EAGAIN: no thread or memory.
    precondition(result == 0, "pthread_create failed: \(String(cString: strerror(result)))")
    return thread
  }

  static func join(_ thread: pthread_t) {
    let result = pthread_join(thread, nil)
    precondition(result == 0, "pthread_join failed: \(String(cString: strerror(result)))")
  }

  /// Runs `body` on a new detached pthread and resumes the caller with its result.
  static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
      let thread = spawn { continuation.resume(with: Result { try body() }) }
      pthread_detach(thread)
    }
  }

  static var current: pthread_t { pthread_self() }
}
