import EdgecatLog
import EdgecatStore
import Synchronization

/// Audit events of reads, queued in memory by the request path and written to the
/// `audit_events` table in batches by a background task, so a crash loses at most one flush
/// interval of them. Thread-safe.
public final class AuditBuffer: Sendable {
  private struct State {
    var queue: [AuditRecord] = []
    var dropped = 0
  }

  /// Events beyond this many waiting are dropped and counted in the log, so a stalled disk
  /// cannot grow memory without bound.
  public static let capacity = 100_000

  private let store: Store
  private let flushInterval: Duration
  private let logger: Logger
  private let state = Mutex(State())
  private let timer = Mutex<Task<Void, Never>?>(nil)

  public init(store: Store, flushInterval: Duration = .milliseconds(200), logger: Logger) {
    self.store = store
    self.flushInterval = flushInterval
    self.logger = logger
  }

  /// Starts the task that writes the queue every flush interval. The task holds the buffer
  /// weakly, so it ends once the buffer is released.
  public func start() {
    let interval = flushInterval
    let task = Task { [weak self] in
      while true {
        do {
          try await Task.sleep(for: interval)
        } catch {
          return
        }
        guard let buffer = self else { return }
        await buffer.flushIfQueued()
      }
    }
    timer.withLock { $0 = task }
  }

  /// Queues one event for the next flush.
  public func append(_ record: AuditRecord) {
    state.withLock { state in
      guard state.queue.count < Self.capacity else {
        state.dropped += 1
        return
      }
      state.queue.append(record)
    }
  }

  /// Writes every event queued before the call and returns once they are committed, also
  /// those that an earlier flush took and has not committed yet. The queue is taken inside the
  /// write, which the store's writer runs after every write queued before it, so this returns
  /// only after those committed too. A failure is logged and the events of that batch are
  /// lost, as a crash would lose them.
  public func flush() async {
    do {
      try await store.write { [self] db in
        for record in takeQueue() { try AuditTrail.insert(record, into: db) }
      }
    } catch {
      logger.error("writing read audit events failed", ["error": "\(error)"])
    }
  }

  /// Flushes when events are queued, as the timer does, without a write when there are none.
  func flushIfQueued() async {
    guard state.withLock({ !$0.queue.isEmpty || $0.dropped > 0 }) else { return }
    await flush()
  }

  /// Empties the queue and returns its events, logging any dropped since the last call.
  private func takeQueue() -> [AuditRecord] {
    let (batch, dropped) = state.withLock { state in
      defer {
        state.queue = []
        state.dropped = 0
      }
      return (state.queue, state.dropped)
    }
    if dropped > 0 {
      logger.error("read audit queue full, events dropped", ["dropped": dropped])
    }
    return batch
  }

  /// Stops the timer and writes what is queued.
  public func close() async {
    timer.withLock { $0?.cancel() }
    await flush()
  }
}
