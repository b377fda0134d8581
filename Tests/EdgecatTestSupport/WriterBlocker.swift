import EdgecatStore
import Glibc
import Synchronization

/// A write that keeps a store's writer thread busy until `release()`, so that the writes
/// queued meanwhile share the next commit.
public final class WriterBlocker: Sendable {
  private let started = Atomic<Bool>(false)
  private let released = Atomic<Bool>(false)
  private let task = Mutex<Task<Void, any Error>?>(nil)

  /// Starts the blocking write and returns once it runs on the writer thread.
  public static func start(_ store: Store) async throws -> WriterBlocker {
    let blocker = enqueue(store)
    try await blocker.waitUntilStarted()
    return blocker
  }

  /// Queues the blocking write and returns at once, so that it can join the commit of writes
  /// queued before it while another blocker holds the writer.
  public static func enqueue(_ store: Store) -> WriterBlocker {
    let blocker = WriterBlocker()
    let task = Task {
      try await store.write { _ in
        blocker.started.store(true, ordering: .releasing)
        while !blocker.released.load(ordering: .acquiring) { usleep(1000) }
      }
    }
    blocker.task.withLock { $0 = task }
    return blocker
  }

  /// Returns once the blocking write runs on the writer thread.
  public func waitUntilStarted() async throws {
    while !started.load(ordering: .acquiring) {
      try await Task.sleep(for: .milliseconds(1))
    }
  }

  /// Ends the blocking write and returns once it committed.
  public func release() async throws {
    released.store(true, ordering: .releasing)
    try await task.withLock { $0 }?.value
  }
}
