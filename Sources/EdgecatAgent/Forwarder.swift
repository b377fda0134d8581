import EdgecatCore
import EdgecatLog
import EdgecatProto
import EdgecatRPC
import Synchronization

/// Sends the spool to telemetry over one StreamInferenceLogs stream: batches of up to
/// `batchRecords` entries, at most `window` of them unacknowledged. Records leave the spool
/// only after an OK acknowledgement. A batch rejected as too large is split in half and sent
/// again. A batch rejected for its contents (INVALID_ARGUMENT and the like) is split down to
/// single entries, and an entry telemetry rejects on its own moves to the spool's quarantine,
/// so that it cannot hold back the entries after it. Any other rejection, or a broken stream,
/// ends the stream. The forwarder then
/// reconnects after an exponential backoff and sends every pending record again, which is
/// harmless because telemetry deduplicates by (device_id, epoch, seq).
public final class Forwarder: Sendable {
  let spool: Spool
  let uplink: Uplink
  let window: Int
  let backoffLimit: Duration
  /// Entries per batch: `--batch-records`, halved after each batch telemetry found too large.
  let batchLimit: Atomic<Int>
  let wakeup = Wakeup()
  let logger = Logger(component: "forwarder")
  let quarantineLog = Mutex(QuarantineLog())
  public let counters = ForwarderCounters()

  /// How long the sender waits for new records before it looks at the spool again.
  static let idlePoll: Duration = .seconds(1)
  /// Time between two log lines about quarantined entries.
  static let quarantineLogInterval: Duration = .seconds(10)

  public init(
    spool: Spool, uplink: Uplink, batchRecords: Int, window: Int,
    backoffLimit: Duration = .seconds(5)
  ) {
    self.spool = spool
    self.uplink = uplink
    batchLimit = Atomic(max(1, batchRecords))
    self.window = max(1, window)
    self.backoffLimit = backoffLimit
  }

  /// Entries per batch now.
  public var batchRecords: Int { batchLimit.load(ordering: .relaxed) }

  /// Forwards until the task is cancelled. A stream opens once the spool has entries and
  /// stays open while idle.
  public func run() async {
    let relay = Task { [spool, wakeup] in
      while !Task.isCancelled {
        await spool.changes.wait(timeout: Self.idlePoll)
        wakeup.notify()
      }
    }
    defer { relay.cancel() }
    logger.info(
      "forwarder started",
      ["endpoint": uplink.telemetry.endpoint, "batch_records": batchRecords, "window": window])
    var backoff = Backoff(maximum: backoffLimit)
    while !Task.isCancelled {
      let pending = spool.statistics
      guard pending.records + pending.labels > 0 else {
        await wakeup.wait(timeout: Self.idlePoll)
        continue
      }
      let outcome = await runStream(afterFailures: backoff.failures)
      if Task.isCancelled { break }
      if outcome.acknowledged > 0 { backoff.reset() }
      let delay = backoff.nextDelay()
      // One line for the first failure and then one per ten, so that a long outage does not
      // fill the log.
      let level: LogLevel = backoff.failures % 10 == 1 ? .warning : .debug
      logger.log(
        level, "telemetry stream ended, reconnecting",
        [
          "reason": outcome.reason, "acknowledged_batches": outcome.acknowledged,
          "retry_in_ms": delay.milliseconds, "failures": backoff.failures,
        ])
      try? await Task.sleep(for: delay)
    }
    logger.info(
      "forwarder stopped",
      ["forwarded_records": counters.records, "quarantined": counters.quarantinedEntries])
  }
}

extension Duration {
  /// The duration in whole milliseconds.
  var milliseconds: Int64 {
    let (seconds, attoseconds) = components
    return seconds * 1000 + attoseconds / 1_000_000_000_000_000
  }
}
