import Synchronization

/// The outcome of a write queued with `Store.submit`, available once its transaction committed
/// or the write failed. One task awaits it. Thread-safe.
public final class PendingWrite<Value: Sendable>: Sendable {
  private enum State {
    case waiting(CheckedContinuation<Value, any Error>?)
    case finished(Result<Value, any Error>)
  }

  private let state = Mutex(State.waiting(nil))

  init() {}

  func finish(_ result: Result<Value, any Error>) {
    let waiter = state.withLock { state -> CheckedContinuation<Value, any Error>? in
      guard case .waiting(let waiter) = state else {
        preconditionFailure("PendingWrite finished twice")
      }
      state = .finished(result)
      return waiter
    }
    waiter?.resume(with: result)
  }

  /// Waits for the commit and returns the body's value, or throws what kept the write out of
  /// the database. Waiting goes on when the task is cancelled, because the write still runs.
  public func value() async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
      let finished = state.withLock { state -> Result<Value, any Error>? in
        switch state {
        case .finished(let result):
          return result
        case .waiting(let earlier):
          precondition(earlier == nil, "PendingWrite awaited by two tasks")
          state = .waiting(continuation)
          return nil
        }
      }
      if let finished { continuation.resume(with: finished) }
    }
  }
}

extension Store {
  /// Queues `body` as `write` does and returns at once. Writes run in the order they were
  /// queued, so a caller can prepare its next write while earlier ones commit.
  public func submit<T: Sendable>(
    _ body: @escaping @Sendable (Database) throws -> T
  ) -> PendingWrite<T> {
    let pending = PendingWrite<T>()
    let job = WriteRequest(durability: .synced, body: body) { pending.finish($0) }
    if !writeQueue.enqueue(job) {
      pending.finish(.failure(StoreError.closed("Store.submit")))
    }
    return pending
  }
}
