import EdgecatLog
import EdgecatStore
import Synchronization

/// A decision waiting in memory for the decision log. Its reason is built only when written.
struct QueuedDecision: Sendable {
  let decision: Decision
  /// The decision's `reason` when the caller built it already; nil builds it when written.
  let reason: String?
  /// Seconds since the Unix epoch.
  let time: Double
  let caller: String
  let requestID: String
}

/// The decision log: decisions queued in memory by the request path, then written to SQLite
/// in batches by a background task, so a crash loses at most one flush interval of them.
/// Thread-safe.
final class DecisionLog: Sendable {
  private struct State {
    var queue: [QueuedDecision] = []
    /// False once a decision was queued with a time before the previous one's.
    var isInTimeOrder = true
    var lastQueuedTime = -Double.infinity
    var isFlushScheduled = false
    var dropped = 0
    var isClosed = false
  }

  let store: Store
  let options: DecisionLogOptions
  let clock: @Sendable () -> Double
  let logger: Logger
  private let state = Mutex(State())
  private let timer = Mutex<Task<Void, Never>?>(nil)

  init(
    store: Store, options: DecisionLogOptions, clock: @escaping @Sendable () -> Double,
    logger: Logger
  ) {
    self.store = store
    self.options = options
    self.clock = clock
    self.logger = logger
  }

  /// Starts the task that writes the queue every flush interval and prunes every prune
  /// interval. The task holds the log weakly, so it ends once the log is released.
  func start() {
    let flushInterval = options.flushInterval
    let pruneInterval = options.pruneInterval
    let task = Task { [weak self] in
      var lastPrune: ContinuousClock.Instant?
      while true {
        do {
          try await Task.sleep(for: flushInterval)
        } catch {
          return
        }
        guard let log = self else { return }
        await log.flushLoggingErrors()
        let now = ContinuousClock.now
        if lastPrune.map({ now - $0 >= pruneInterval }) ?? true {
          lastPrune = now
          await log.pruneLoggingErrors()
        }
      }
    }
    timer.withLock { $0 = task }
  }

  /// Queues decisions without touching the database. When the queue reaches the batch size,
  /// a flush starts at once. After `close` or beyond the queue capacity they are dropped.
  /// `reasons`, when given, holds the `reason` of each decision in the same order.
  func append(
    _ decisions: some Collection<Decision>, reasons: [String]? = nil, caller: String,
    requestID: String
  ) {
    precondition(reasons == nil || reasons?.count == decisions.count, "one reason per decision")
    let time = clock()
    let shouldFlush = state.withLock { state -> Bool in
      guard !state.isClosed else { return false }
      for (index, decision) in decisions.enumerated() {
        guard state.queue.count < options.queueCapacity else {
          state.dropped += 1
          continue
        }
        if time < state.lastQueuedTime { state.isInTimeOrder = false }
        state.lastQueuedTime = time
        state.queue.append(
          QueuedDecision(
            decision: decision, reason: reasons?[index], time: time, caller: caller,
            requestID: requestID))
      }
      guard state.queue.count >= options.batchSize, !state.isFlushScheduled else { return false }
      state.isFlushScheduled = true
      return true
    }
    if shouldFlush { Task { await flushLoggingErrors() } }
  }

  /// Queues one decision, as `append(_:reasons:caller:requestID:)` does, without the temporary
  /// collections that Check would otherwise build for every call.
  func append(_ decision: Decision, reason: String?, caller: String, requestID: String) {
    let time = clock()
    let shouldFlush = state.withLock { state -> Bool in
      guard !state.isClosed else { return false }
      if state.queue.count < options.queueCapacity {
        if time < state.lastQueuedTime { state.isInTimeOrder = false }
        state.lastQueuedTime = time
        state.queue.append(
          QueuedDecision(
            decision: decision, reason: reason, time: time, caller: caller, requestID: requestID))
      } else {
        state.dropped += 1
      }
      guard state.queue.count >= options.batchSize, !state.isFlushScheduled else { return false }
      state.isFlushScheduled = true
      return true
    }
    if shouldFlush { Task { await flushLoggingErrors() } }
  }

  /// Writes every queued decision through the store's write path and returns once committed.
  func flush() async throws {
    guard state.withLock({ !$0.queue.isEmpty || $0.dropped > 0 }) else { return }
    try await store.write { [self] db in try drain(into: db) }
  }

  /// Stops the background task and writes what is queued, blocking the calling thread until it
  /// is committed. Later decisions are dropped. Call before closing the store.
  func close() {
    let wasOpen = state.withLock { state -> Bool in
      let wasOpen = !state.isClosed
      state.isClosed = true
      return wasOpen
    }
    guard wasOpen else { return }
    timer.withLock { task in
      task?.cancel()
      task = nil
    }
    guard state.withLock({ !$0.queue.isEmpty }) else { return }
    do {
      try store.writeSync { [self] db in try drain(into: db) }
    } catch {
      logger.error("decision log write at close failed", ["error": "\(error)"])
    }
  }

  private var isClosed: Bool { state.withLock { $0.isClosed } }

  private func flushLoggingErrors() async {
    do {
      try await flush()
    } catch {
      // Once closed, the store rejects writes and `close` has written the queue itself.
      guard !isClosed else { return }
      logger.error("decision log write failed", ["error": "\(error)"])
    }
  }

  private func pruneLoggingErrors() async {
    do {
      try await prune()
    } catch {
      guard !isClosed else { return }
      logger.error("decision log prune failed", ["error": "\(error)"])
    }
  }

  /// Takes the whole queue and inserts it on the store's writer thread. A failed insert
  /// loses the batch it took.
  private func drain(into db: Database) throws {
    let (batch, dropped, isInTimeOrder) = state.withLock { state in
      let taken = (state.queue, state.dropped, state.isInTimeOrder)
      // Room for as many as this flush took, so that the next interval's appends do not
      // regrow the queue from empty.
      state.queue = []
      state.queue.reserveCapacity(min(taken.0.count, options.queueCapacity))
      state.dropped = 0
      state.isInTimeOrder = true
      state.lastQueuedTime = -Double.infinity
      state.isFlushScheduled = false
      return taken
    }
    if dropped > 0 {
      logger.warning(
        "decision log queue full, decisions dropped",
        ["dropped": dropped, "queue_capacity": options.queueCapacity])
    }
    try Self.insert(isInTimeOrder ? batch : Self.sortedByTime(batch), into: db)
  }
}
