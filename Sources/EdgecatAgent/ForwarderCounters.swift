import Synchronization

/// Totals since the forwarder started. Thread-safe.
public final class ForwarderCounters: Sendable {
  private let acknowledgedBatches = Atomic<Int>(0)
  private let forwardedRecords = Atomic<Int>(0)
  private let splitBatches = Atomic<Int>(0)
  private let openedStreams = Atomic<Int>(0)
  private let quarantinedCount = Atomic<Int>(0)

  public var batches: Int { acknowledgedBatches.load(ordering: .relaxed) }
  public var records: Int { forwardedRecords.load(ordering: .relaxed) }
  public var splits: Int { splitBatches.load(ordering: .relaxed) }
  public var streams: Int { openedStreams.load(ordering: .relaxed) }
  /// Entries moved to the spool's quarantine after telemetry rejected them on their own.
  public var quarantinedEntries: Int { quarantinedCount.load(ordering: .relaxed) }

  func acknowledged(records: Int) {
    acknowledgedBatches.add(1, ordering: .relaxed)
    forwardedRecords.add(records, ordering: .relaxed)
  }

  func split() { splitBatches.add(1, ordering: .relaxed) }

  func opened() { openedStreams.add(1, ordering: .relaxed) }

  func quarantined() { quarantinedCount.add(1, ordering: .relaxed) }
}
