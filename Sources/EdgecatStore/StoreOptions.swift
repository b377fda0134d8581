/// Settings for `Store`; the defaults suit a service with one database file.
public struct StoreOptions: Sendable {
  /// How long a connection waits for a lock held by another process before failing with
  /// SQLITE_BUSY. Services expose it as a command-line flag.
  public var busyTimeout: Duration
  /// The number of read-only connections, each on its own thread; clamped to 1...8.
  public var readerCount: Int
  /// The maximum number of queued `write` calls that share one commit.
  public var maxBatchSize: Int
  /// The number of prepared statements each connection keeps.
  public var statementCacheCapacity: Int

  public init(
    busyTimeout: Duration = .seconds(5), readerCount: Int = 2, maxBatchSize: Int = 64,
    statementCacheCapacity: Int = 64
  ) {
    self.busyTimeout = busyTimeout
    self.readerCount = min(8, max(1, readerCount))
    self.maxBatchSize = max(1, maxBatchSize)
    self.statementCacheCapacity = max(1, statementCacheCapacity)
  }

  /// Returns the busy timeout for a flag value in whole milliseconds, such as "5000", or nil
  /// when `text` is not a non-negative integer.
  public static func busyTimeout(milliseconds text: String) -> Duration? {
    guard let value = Int64(text), value >= 0 else { return nil }
    return .milliseconds(value)
  }
}
