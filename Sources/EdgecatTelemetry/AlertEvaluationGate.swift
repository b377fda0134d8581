import EdgecatCore
import Synchronization

/// Lets one evaluation run at a time; later ones wait in arrival order. Thread-safe.
final class AlertEvaluationGate: Sendable {
  private struct State {
    var busy = false
    var waiters: [CheckedContinuation<Void, Never>] = []
  }

  private let state = Mutex(State())

  /// Runs `body` once every earlier caller's body has finished.
  func run<Value: Sendable>(_ body: () async throws(ServiceError) -> Value)
    async throws(ServiceError) -> Value
  {
    await enter()
    defer { leave() }
    return try await body()
  }

  private func enter() async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      let entered = state.withLock { state in
        if state.busy {
          state.waiters.append(continuation)
          return false
        }
        state.busy = true
        return true
      }
      if entered { continuation.resume() }
    }
  }

  /// Hands the gate to the first waiter, or opens it.
  private func leave() {
    let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
      guard !state.waiters.isEmpty else {
        state.busy = false
        return nil
      }
      return state.waiters.removeFirst()
    }
    next?.resume()
  }
}
