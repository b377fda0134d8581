import EdgecatCore
import EdgecatStore
import Glibc

/// Settings for `PolicyEngine`.
public struct PolicyOptions: Sendable {
  /// The number of most recent revisions whose change records are kept for watchers.
  public var changeLogCapacity: Int
  public var store: StoreOptions
  public var decisionLog: DecisionLogOptions
  /// The current time in seconds since the Unix epoch; tests pass a clock they control.
  public var clock: @Sendable () -> Double

  public init(
    changeLogCapacity: Int = 10_000, store: StoreOptions = StoreOptions(),
    decisionLog: DecisionLogOptions = DecisionLogOptions(),
    clock: @escaping @Sendable () -> Double = PolicyOptions.systemClock
  ) {
    self.changeLogCapacity = max(1, changeLogCapacity)
    self.store = store
    self.decisionLog = decisionLog
    self.clock = clock
  }

  /// Reads `CLOCK_REALTIME`.
  public static let systemClock: @Sendable () -> Double = { wallClockSeconds() }
}

/// Settings of the decision log, which keeps every Check and BatchCheck decision in SQLite.
public struct DecisionLogOptions: Sendable {
  /// Days a logged decision is kept; older ones are deleted. At least 1.
  public var retentionDays: Int
  /// The maximum time a decision waits in memory before it is written, which bounds what a
  /// crash loses.
  public var flushInterval: Duration
  /// A queue of this many decisions is written at once, without waiting for the interval.
  public var batchSize: Int
  /// The time between deletions of decisions older than the retention.
  public var pruneInterval: Duration
  /// Decisions beyond this many waiting in memory are dropped and counted in the log, so a
  /// stalled disk cannot exhaust memory.
  public var queueCapacity: Int

  public init(
    retentionDays: Int = 30, flushInterval: Duration = .seconds(1), batchSize: Int = 1000,
    pruneInterval: Duration = .seconds(3600), queueCapacity: Int = 100_000
  ) {
    self.retentionDays = max(1, retentionDays)
    self.flushInterval = flushInterval
    self.batchSize = max(1, batchSize)
    self.pruneInterval = pruneInterval
    self.queueCapacity = max(self.batchSize, queueCapacity)
  }
}

/// The acting principal and request id of a write, for authorization and the audit event.
public struct RequestContext: Sendable, Hashable {
  /// The principal acting: the authenticated caller, or the user a trusted service acts for.
  public var principal: String
  /// The request id (metadata `x-request-id`) recorded with the audit event.
  public var requestID: String
  /// HOST:PORT of the caller, recorded with the audit event; empty for calls made in process.
  public var peer: String

  public init(principal: String, requestID: String, peer: String = "") {
    self.principal = principal
    self.requestID = requestID
    self.peer = peer
  }
}

/// The outcome of a write: the revision its changes carry, or the unchanged current revision.
public struct WriteResult: Sendable, Hashable {
  public let revision: UInt64
  /// False when the write changed nothing, such as a repeated grant.
  public let changed: Bool
}
