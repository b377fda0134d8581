import Glibc
import Synchronization

/// One `Database` connection confined to a dedicated thread, which runs the jobs given to
/// `run` one at a time in order. Thread-safe.
public final class DatabaseThread: Sendable {
  private let queue = WorkQueue<@Sendable (Database) -> Void>()
  private let thread: pthread_t
  private let stopped = Atomic<Bool>(false)

  /// Starts the thread and opens the connection on it with `open`, which may also configure it.
  /// Blocks the caller until `open` returns, and rethrows its error after the thread ends.
  public init(open: @escaping @Sendable () throws -> Database) throws {
    let opened = BlockingResult<Bool>()
    let queue = self.queue
    thread = DedicatedThread.spawn {
      let database: Database
      do {
        database = try open()
      } catch {
        opened.set(.failure(error))
        return
      }
      opened.set(.success(true))
      while let jobs = queue.take(limit: 1) {
        for job in jobs { job(database) }
      }
      database.close()
    }
    do {
      _ = try opened.wait()
    } catch {
      DedicatedThread.join(thread)
      throw error
    }
  }

  deinit { stop(join: pthread_equal(thread, pthread_self()) == 0) }

  /// Runs `body` on the thread after the jobs queued before it, and resumes with its result.
  /// Throws a MISUSE `StoreError` once `close()` was called. A queued job runs even when the
  /// calling task is cancelled.
  public func run<T: Sendable>(_ body: @escaping @Sendable (Database) -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
      let job: @Sendable (Database) -> Void = { continuation.resume(returning: body($0)) }
      if !queue.enqueue(job) {
        continuation.resume(throwing: StoreError.closed("DatabaseThread.run"))
      }
    }
  }

  /// Queues `job` to run on the thread without waiting for it; returns false, dropping it, once
  /// `close()` was called.
  @discardableResult
  public func submit(_ job: @escaping @Sendable (Database) -> Void) -> Bool {
    queue.enqueue(job)
  }

  /// Runs the queued jobs, then closes the connection and ends the thread. Blocks until then;
  /// must not be called from a job. Calling it again does nothing.
  public func close() {
    precondition(
      pthread_equal(thread, pthread_self()) == 0, "DatabaseThread.close called from its job")
    stop(join: true)
  }

  private func stop(join: Bool) {
    let (exchanged, _) = stopped.compareExchange(
      expected: false, desired: true, ordering: .acquiringAndReleasing)
    guard exchanged else { return }
    queue.stop()
    if join {
      DedicatedThread.join(thread)
    } else {
      pthread_detach(thread)
    }
  }
}
