import Glibc

/// Starts a thread that runs `body`. The caller joins or detaches the returned thread.
func startThread(_ body: @escaping @Sendable () -> Void) -> pthread_t {
  typealias Body = @Sendable () -> Void
  let box = Unmanaged.passRetained(Box<Body>(body))
  var thread = pthread_t()
  let result = pthread_create(
    &thread, nil,
    { argument in
      Unmanaged<Box<Body>>.fromOpaque(argument!).takeRetainedValue().value()
      return nil
    }, box.toOpaque())
  precondition(result == 0, "pthread_create failed with \(result)")
  return thread
}

/// Runs blocking work on a thread of its own, so it never holds a thread of the cooperative
/// pool, and returns its result.
func runOnNewThread<Result: Sendable>(_ body: @escaping @Sendable () -> Result) async -> Result {
  await withCheckedContinuation { continuation in
    pthread_detach(startThread { continuation.resume(returning: body()) })
  }
}

private final class Box<Value>: @unchecked Sendable {
  let value: Value

  init(_ value: Value) {
    self.value = value
  }
}
