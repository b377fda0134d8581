import EdgecatProto
import EdgecatRPC

extension Forwarder {
  /// Applies one acknowledgement: deletes the batch from the spool on OK, queues its halves
  /// on RESOURCE_EXHAUSTED, isolates the rejected entries on codes that can come from an
  /// entry's contents, and throws `StreamFailure` for any other code.
  func handle(_ ack: Edgecat_Telemetry_V1_IngestAck, _ window: ForwardingWindow)
    async throws
  {
    guard let entry = window.acknowledge(ack.batchID) else {
      throw StreamFailure(
        description: "telemetry acknowledged batch \(ack.batchID), which is not the oldest"
          + " batch in flight")
    }
    let code = StatusCode(rawValue: Int(ack.code)) ?? .unknown
    switch code {
    case .ok:
      CrashPoint.check(CrashPoint.beforeAckDelete)
      do {
        try await spool.remove(entry.batch)
      } catch {
        throw StreamFailure(description: "the spool could not delete a forwarded batch: \(error)")
      }
      counters.acknowledged(records: entry.batch.records.count)
      logger.debug(
        "batch acknowledged",
        [
          "batch_id": ack.batchID, "stored": ack.stored, "duplicates": ack.duplicates,
          "conflicts": ack.conflicts, "labels_applied": ack.labelsApplied,
        ])
      if ack.conflicts > 0 {
        logger.warning(
          "telemetry kept earlier records with the same identity",
          ["batch_id": ack.batchID, "conflicts": ack.conflicts])
      }
    case .resourceExhausted:
      guard let (first, second) = entry.batch.split() else {
        throw StreamFailure(
          description: "telemetry rejected a batch of one entry as too large: \(ack.message)")
      }
      window.queueForResend([first, second])
      lowerBatchLimit(to: max(1, entry.batch.count / 2))
      counters.split()
      logger.warning(
        "batch too large, splitting",
        [
          "batch_id": ack.batchID, "entries": entry.batch.count,
          "batch_records": batchRecords, "message": ack.message,
        ])
    case let code where Self.rejectsEntries(code):
      try await isolate(entry, ack, window)
    default:
      throw StreamFailure(
        description: "telemetry rejected batch \(ack.batchID) with \(code): \(ack.message)")
    }
  }

  private func lowerBatchLimit(to limit: Int) {
    var current = batchLimit.load(ordering: .relaxed)
    while limit < current {
      let (exchanged, original) = batchLimit.compareExchange(
        expected: current, desired: limit, ordering: .relaxed)
      if exchanged { return }
      current = original
    }
  }
}
