import EdgecatCore
import EdgecatLog
import EdgecatStore
import Synchronization

/// The agent's spool: inference records and labels stored durably until telemetry
/// acknowledges them. Records are numbered by `seq` within the spool's `epoch`, a random id
/// made when the spool is created. Writes beyond `maximumBytes` are rejected whole rather than
/// dropping older records. Entries telemetry rejects on their own move to a quarantine, which
/// counts against `maximumBytes` until an operator resends or discards them. Thread-safe.
public final class Spool: Sendable {
  /// 32 hex digits, made once when the database is created and kept across restarts.
  public let epoch: String
  /// The byte cap over pending records and labels, by their estimated sizes.
  public let maximumBytes: Int64
  /// Notified after every stored write, so that the forwarder wakes up.
  public let changes = Wakeup()
  let store: Store
  let state: Mutex<SpoolState>
  let logger = Logger(component: "spool")

  struct SpoolState {
    var statistics: SpoolStatistics
    /// Rejections for the cap since the last one that was logged, and when that was.
    var unloggedRejections = 0
    var lastRejectionLog: ContinuousClock.Instant?
    /// The spool position the forwarder must read from again for entries resent from quarantine.
    var resendMark: ResendMark?
  }

  /// Seconds between two log lines about rejections for the cap.
  static let rejectionLogInterval: Duration = .seconds(10)

  private init(store: Store, epoch: String, maximumBytes: Int64, statistics: SpoolStatistics) {
    self.store = store
    self.epoch = epoch
    self.maximumBytes = maximumBytes
    state = Mutex(SpoolState(statistics: statistics))
  }

  /// Opens the spool in the agent database, creating its epoch on first use.
  public static func open(store: Store, maximumBytes: Int64) async throws -> Spool {
    let candidate = try RandomID.hex(byteCount: 16)
    let row = try await store.write { database in
      try database.execute(
        "INSERT OR IGNORE INTO spool_state (id, epoch, next_seq, bytes, records, labels)"
          + " VALUES (1, ?, 1, 0, 0, 0)", .text(candidate))
      return try database.queryOne(
        "SELECT epoch, bytes, records, labels, quarantined FROM spool_state")!
    }
    let statistics = SpoolStatistics(
      bytes: row[1].int64 ?? 0, records: row[2].int64 ?? 0, labels: row[3].int64 ?? 0,
      quarantined: row[4].int64 ?? 0, full: false)
    let spool = Spool(
      store: store, epoch: row[0].string ?? candidate, maximumBytes: maximumBytes,
      statistics: statistics)
    spool.logger.info(
      "spool opened",
      [
        "epoch": spool.epoch, "records": statistics.records, "labels": statistics.labels,
        "quarantined": statistics.quarantined, "bytes": statistics.bytes,
        "max_bytes": maximumBytes,
      ])
    return spool
  }

  public var statistics: SpoolStatistics { state.withLock { $0.statistics } }
}
