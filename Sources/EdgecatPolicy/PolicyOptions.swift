import EdgecatStore
import Glibc

/// Settings for `PolicyEngine`.
public struct PolicyOptions: Sendable {
  /// The number of most recent revisions whose change records are kept for watchers.
  public var changeLogCapacity: Int
  public var store: StoreOptions
  /// The current time in seconds since the Unix epoch; tests pass a clock they control.
  public var clock: @Sendable () -> Double

  public init(
    changeLogCapacity: Int = 10_000, store: StoreOptions = StoreOptions(),
    clock: @escaping @Sendable () -> Double = PolicyOptions.systemClock
  ) {
    self.changeLogCapacity = max(1, changeLogCapacity)
    self.store = store
    self.clock = clock
  }

  /// Reads `CLOCK_REALTIME`.
  public static let systemClock: @Sendable () -> Double = {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1_000_000_000
  }
}

/// The acting principal and request id of a write, for authorization and the audit event.
public struct RequestContext: Sendable, Hashable {
  /// The principal acting: the authenticated caller, or the user a trusted service acts for.
  public var principal: String
  /// The request id (metadata `x-request-id`) recorded with the audit event.
  public var requestID: String

  public init(principal: String, requestID: String) {
    self.principal = principal
    self.requestID = requestID
  }
}

/// The outcome of a write: the revision its changes carry, or the unchanged current revision.
public struct WriteResult: Sendable, Hashable {
  public let revision: UInt64
  /// False when the write changed nothing, such as a repeated grant.
  public let changed: Bool
}
