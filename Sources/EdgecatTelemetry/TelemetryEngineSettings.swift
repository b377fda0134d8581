import EdgecatStore

/// Limits and retention of a `TelemetryEngine`. Services set them from flags.
public struct TelemetryEngineSettings: Sendable {
  /// Records (and, separately, label updates) per ingest batch at most.
  public var maxBatchRecords: Int
  /// Encoded bytes per ingest batch at most, kept below the 4 MiB gRPC message limit.
  public var maxBatchBytes: Int
  /// Raw records received on UTC days more than this many days before today are dropped by
  /// retention; the rollups stay.
  public var retentionDays: Int
  /// Records stamped more than this many seconds after they were received are flagged
  /// `future_clock` (and kept).
  public var futureClockSeconds: Double
  /// The writer connection's page cache, in KiB.
  public var writerCacheKibibytes: Int
  /// Options of the underlying store: readers, group commit size, busy timeout.
  public var storeOptions: StoreOptions

  public init(
    maxBatchRecords: Int = 10_000, maxBatchBytes: Int = 2 << 20, retentionDays: Int = 30,
    futureClockSeconds: Double = 300, writerCacheKibibytes: Int = 65_536,
    storeOptions: StoreOptions = StoreOptions()
  ) {
    self.maxBatchRecords = maxBatchRecords
    self.maxBatchBytes = maxBatchBytes
    self.retentionDays = retentionDays
    self.futureClockSeconds = futureClockSeconds
    self.writerCacheKibibytes = max(2048, writerCacheKibibytes)
    self.storeOptions = storeOptions
  }
}
