import Synchronization

/// A value that one task sets and others await; for test probes.
final class AsyncValue<Value: Sendable>: Sendable {
  private let state = Mutex<(Value?, [CheckedContinuation<Value, Never>])>((nil, []))

  func set(_ value: Value) {
    let waiters = state.withLock { state -> [CheckedContinuation<Value, Never>] in
      guard state.0 == nil else { return [] }
      state.0 = value
      defer { state.1 = [] }
      return state.1
    }
    for waiter in waiters { waiter.resume(returning: value) }
  }

  var value: Value {
    get async {
      await withCheckedContinuation { continuation in
        let ready = state.withLock { state -> Value? in
          if let value = state.0 { return value }
          state.1.append(continuation)
          return nil
        }
        if let ready { continuation.resume(returning: ready) }
      }
    }
  }
}
