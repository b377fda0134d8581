
/// A FIFO of jobs served by dedicated pthreads, so blocking SQLite calls never occupy a thread of
/// Swift's cooperative pool. Thread-safe.
final class WorkQueue<Job>: @unchecked Sendable {
  private let lock = ConditionLock()
  // Guarded by `lock`.
  private var jobs: [Job] = []
  private var head = 0
  private var stopping = false

  /// Appends `job`; returns false, dropping it, once `stop()` was called.
  func enqueue(_ job: Job) -> Bool {
    lock.withLock {
      guard !stopping else { return false }
      jobs.append(job)
      lock.signal()
      return true
    }
  }

  /// Blocks until jobs are queued, then removes and returns up to `limit` of them in order.
  /// Returns nil once `stop()` was called and every queued job was taken.
  func take(limit: Int) -> [Job]? {
    lock.withLock {
      while head == jobs.count && !stopping { lock.wait() }
      guard head < jobs.count else { return nil }
      let end = min(jobs.count, head + max(1, limit))
      let batch = Array(jobs[head..<end])
      head = end
      if head == jobs.count {
        jobs.removeAll(keepingCapacity: true)
        head = 0
      } else if head > 1024 && head * 2 > jobs.count {
        jobs.removeFirst(head)
        head = 0
      }
      // Another consumer may serve what is left.
      if head < jobs.count { lock.signal() }
      return batch
    }
  }

  /// The number of jobs queued and not yet taken.
  var pendingCount: Int { lock.withLock { jobs.count - head } }

  /// Rejects new jobs and wakes the consumers, which return nil from `take` after the queue drains.
  func stop() {
    lock.withLock {
      stopping = true
      lock.broadcast()
    }
  }
}
