import EdgecatLog
import EdgecatStore
import Synchronization

/// A decision with the caller that asked for it, as the decision log queues it. The repeats
/// of one check at one revision can share one, so that queueing a repeat retains one object.
public final class LoggableDecision: Sendable {
  public let decision: Decision
  /// The decision's `reason` when the caller built it already; nil builds it when written.
  let reason: String?
  /// The authenticated principal that asked for the decision.
  public let caller: String

  /// `reason`, when given, must equal `decision.reason`.
  public init(_ decision: Decision, reason: String? = nil, caller: String) {
    self.decision = decision
    self.reason = reason
    self.caller = caller
  }
}

/// A decision waiting in memory for the decision log. Its reason is built only when written.
struct QueuedDecision: Sendable {
  let logged: LoggableDecision
  /// The serial number of this decision's id, which differs between repeats.
  let serial: UInt64
  /// Seconds since the Unix epoch.
  let time: Double
  let requestID: String
}

/// The decision log: decisions queued in memory by the request path, then written to SQLite
/// in batches by a background task, so a crash of the process loses at most one flush interval
/// of them. The batches commit unsynced: a crash of the machine may also lose those committed
/// since the database's last fsync. Thread-safe.
final class DecisionLog: Sendable {
  private struct State {
    var queue: [QueuedDecision] = []
    /// False once a decision was queued with a time before the previous one's.
    var isInTimeOrder = true
    var lastQueuedTime = -Double.infinity
    var isFlushScheduled = false
    var dropped = 0
    var isClosed = false

    mutating func enqueue(_ entry: QueuedDecision) {
      if entry.time < lastQueuedTime { isInTimeOrder = false }
      lastQueuedTime = entry.time
      queue.append(entry)
    }

    /// Returns true when the queue reached `batchSize` and no flush is scheduled yet, and
    /// records that the caller schedules one.
    mutating func claimFlush(batchSize: Int) -> Bool {
      guard queue.count >= batchSize, !isFlushScheduled else { return false }
      isFlushScheduled = true
      return true
    }
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
  /// `serials`, when given, contains the serial number of each decision's id in the same
  /// order. Without it each decision keeps its own.
  func append(
    _ decisions: some Collection<LoggableDecision>, serials: [UInt64]? = nil, requestID: String
  ) {
    precondition(serials == nil || serials?.count == decisions.count, "one serial per decision")
    let time = clock()
    let shouldFlush = state.withLock { state -> Bool in
      guard !state.isClosed else { return false }
      for (index, logged) in decisions.enumerated() {
        guard state.queue.count < options.queueCapacity else {
          state.dropped += 1
          continue
        }
        state.enqueue(
          QueuedDecision(
            logged: logged, serial: serials?[index] ?? logged.decision.serial, time: time,
            requestID: requestID))
      }
      return state.claimFlush(batchSize: options.batchSize)
    }
    if shouldFlush { Task { await flushLoggingErrors() } }
  }

  /// Queues one decision under the serial number `serial`, as `append(_:serials:requestID:)`
  /// does, without the temporary collections that Check would otherwise build for every call.
  func append(_ logged: LoggableDecision, serial: UInt64, requestID: String) {
    let time = clock()
    let shouldFlush = state.withLock { state -> Bool in
      guard !state.isClosed else { return false }
      if state.queue.count < options.queueCapacity {
        state.enqueue(
          QueuedDecision(logged: logged, serial: serial, time: time, requestID: requestID))
      } else {
        state.dropped += 1
      }
      return state.claimFlush(batchSize: options.batchSize)
    }
    if shouldFlush { Task { await flushLoggingErrors() } }
  }

  /// Writes every decision queued before the call and returns once they are committed, also
  /// those that an earlier flush took and has not committed yet. The queue is taken inside the
  /// write, which the store's writer runs after every write queued before it.
  func flush() async throws {
    try await store.write(durability: .unsynced) { [self] db in try drain(into: db) }
  }

  /// Flushes when decisions are queued, without a write when there are none.
  private func flushIfQueued() async throws {
    guard state.withLock({ !$0.queue.isEmpty || $0.dropped > 0 }) else { return }
    try await flush()
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
      try await flushIfQueued()
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
      let queued = (state.queue, state.dropped, state.isInTimeOrder)
      // Room for as many as this flush took, so that the next interval's appends do not
      // regrow the queue from empty.
      state.queue = []
      state.queue.reserveCapacity(min(queued.0.count, options.queueCapacity))
      state.dropped = 0
      state.isInTimeOrder = true
      state.lastQueuedTime = -Double.infinity
      state.isFlushScheduled = false
      return queued
    }
    if dropped > 0 {
      logger.warning(
        "decision log queue full, decisions dropped",
        ["dropped": dropped, "queue_capacity": options.queueCapacity])
    }
    try Self.insert(isInTimeOrder ? batch : Self.sortedByTime(batch), into: db)
  }
}
