import Synchronization

/// A lock for async code that admits one holder at a time, in arrival order, without blocking
/// a thread while waiting. Thread-safe.
final class WriteLock: Sendable {
  private struct State {
    var isLocked = false
    var waiters: [CheckedContinuation<Void, Never>] = []
  }

  private let state = Mutex(State())

  /// Suspends until the lock is free, then takes it.
  func lock() async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      let acquired = state.withLock { state in
        if state.isLocked {
          state.waiters.append(continuation)
          return false
        }
        state.isLocked = true
        return true
      }
      if acquired { continuation.resume() }
    }
  }

  /// Hands the lock to the next waiter, or frees it when none waits.
  func unlock() {
    let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
      precondition(state.isLocked, "WriteLock.unlock called while unlocked")
      guard !state.waiters.isEmpty else {
        state.isLocked = false
        return nil
      }
      return state.waiters.removeFirst()
    }
    next?.resume()
  }
}
