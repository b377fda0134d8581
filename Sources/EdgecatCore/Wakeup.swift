import Synchronization

/// A wake-up signal for one waiting task: `notify` resumes the waiter, or, with none waiting,
/// makes the next `wait` return at once. Notifications do not queue up beyond one.
/// Thread-safe.
public final class Wakeup: Sendable {
  private struct State {
    var pending = false
    var waiter: CheckedContinuation<Void, Never>?
  }

  private let state = Mutex(State())

  public init() {}

  public func notify() {
    let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
      guard let waiter = state.waiter else {
        state.pending = true
        return nil
      }
      state.waiter = nil
      return waiter
    }
    waiter?.resume()
  }

  /// Suspends until `notify` or the task's cancellation, unless a notification is pending.
  /// One task may wait at a time; a second waiter replaces the first, which is resumed.
  public func wait() async {
    await withTaskCancellationHandler {
      await suspend()
    } onCancel: {
      notify()
    }
  }

  private func suspend() async {
    if Task.isCancelled { return }
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      let resumeNow: [CheckedContinuation<Void, Never>] = state.withLock { state in
        if state.pending {
          state.pending = false
          return [continuation]
        }
        let replaced = state.waiter
        state.waiter = continuation
        return replaced.map { [$0] } ?? []
      }
      for waiter in resumeNow { waiter.resume() }
    }
  }

  /// Suspends until `notify` or until `timeout` passes.
  public func wait(timeout: Duration) async {
    let timer = Task { [self] in
      try? await Task.sleep(for: timeout)
      if !Task.isCancelled { notify() }
    }
    await wait()
    timer.cancel()
  }
}
