import Glibc

/// A pthread mutex with one condition variable. Thread-safe.
final class ConditionLock: @unchecked Sendable {
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

  init() {
    precondition(pthread_mutex_init(mutex, nil) == 0, "pthread_mutex_init failed")
    precondition(pthread_cond_init(condition, nil) == 0, "pthread_cond_init failed")
  }

  deinit {
    pthread_cond_destroy(condition)
    pthread_mutex_destroy(mutex)
    condition.deallocate()
    mutex.deallocate()
  }

  func withLock<T>(_ body: () throws -> T) rethrows -> T {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return try body()
  }

  /// Waits for a signal; call only inside `withLock`.
  func wait() { pthread_cond_wait(condition, mutex) }

  func signal() { pthread_cond_signal(condition) }

  func broadcast() { pthread_cond_broadcast(condition) }
}

/// A result that one thread sets once and another thread blocks on. Thread-safe.
final class BlockingResult<Value>: @unchecked Sendable {
  private let lock = ConditionLock()
  private var result: Result<Value, any Error>?

  func set(_ newResult: Result<Value, any Error>) {
    lock.withLock {
      precondition(result == nil, "BlockingResult set twice")
      result = newResult
      lock.broadcast()
    }
  }

  /// Blocks the calling thread until `set` was called, then returns the value or throws.
  func wait() throws -> Value {
    let final = lock.withLock {
      while result == nil { lock.wait() }
      return result!
    }
    return try final.get()
  }
}

/// A count that threads decrement once each and another thread waits to reach zero.
/// Thread-safe.
final class CountdownLatch: @unchecked Sendable {
  private let lock = ConditionLock()
  private var remaining: Int

  init(count: Int) { remaining = count }

  func countDown() {
    lock.withLock {
      remaining -= 1
      if remaining <= 0 { lock.broadcast() }
    }
  }

  /// Blocks the calling thread until `countDown` was called `count` times.
  func wait() {
    lock.withLock {
      while remaining > 0 { lock.wait() }
    }
  }
}
