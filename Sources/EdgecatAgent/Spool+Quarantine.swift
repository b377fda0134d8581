import EdgecatCore
import EdgecatStore

/// A record telemetry rejected on its own, with the status code and message of the rejection.
public struct QuarantinedRecord: Sendable, Hashable {
  public var record: SpoolRecord
  /// The gRPC status code of telemetry's acknowledgement.
  public var statusCode: Int32
  public var message: String
}

extension Spool {
  /// Moves the single record or label of `batch` from the pending queue to quarantine in one
  /// commit, with telemetry's `statusCode` and `message`. Its bytes keep counting against the
  /// cap. Returns false when the entry was no longer pending.
  func quarantine(_ batch: SpoolBatch, statusCode: Int32, message: String)
    async throws(ServiceError) -> Bool
  {
    precondition(batch.count == 1, "only a batch of one entry can be quarantined")
    // NOTE: nothing sends or deletes quarantined entries yet, so they stay until an operator
    // removes them from agent.db. A command to resend or clear them would lift this.
    let now = wallClockMilliseconds()
    let moved: Int
    do {
      moved = try await store.write { database in
        let details: [SQLValue] = [.integer(Int64(statusCode)), .text(message), .integer(now)]
        if let record = batch.records.first {
          try database.execute(
            "INSERT INTO quarantined_records SELECT seq, timestamp_ms, model_full_name,"
              + " model_version, prediction, confidence, latency_ms, input_hash, label,"
              + " byte_size, ?, ?, ? FROM pending_records WHERE seq = ?",
            details + [.integer(Int64(record.seq))])
          try database.execute(
            "DELETE FROM pending_records WHERE seq = ?", .integer(Int64(record.seq)))
        } else if let label = batch.labels.first {
          try database.execute(
            "INSERT INTO quarantined_labels SELECT id, epoch, seq, label, byte_size, ?, ?, ?"
              + " FROM pending_labels WHERE id = ?", details + [.integer(label.id)])
          try database.execute("DELETE FROM pending_labels WHERE id = ?", .integer(label.id))
        }
        let moved = database.changes
        let isRecord = batch.records.isEmpty ? 0 : 1
        try database.execute(
          "UPDATE spool_state SET records = records - ?, labels = labels - ?,"
            + " quarantined = quarantined + ?", .integer(Int64(moved * isRecord)),
          .integer(Int64(moved * (1 - isRecord))), .integer(Int64(moved)))
        return moved
      }
    } catch {
      logger.error("spool quarantine failed", ["entries": batch.count, "error": "\(error)"])
      throw .storage(error, operation: "quarantining a rejected entry", database: "agent spool")
    }
    state.withLock {
      if batch.records.isEmpty {
        $0.statistics.labels -= Int64(moved)
      } else {
        $0.statistics.records -= Int64(moved)
      }
      $0.statistics.quarantined += Int64(moved)
    }
    return moved > 0
  }

  /// Reads the quarantined records in seq order, for inspection.
  public func quarantinedRecords() async throws -> [QuarantinedRecord] {
    try await store.read { database in
      try database.query(
        "SELECT seq, timestamp_ms, model_full_name, model_version, prediction, confidence,"
          + " latency_ms, input_hash, label, status_code, message FROM quarantined_records"
          + " ORDER BY seq"
      ).map { row in
        QuarantinedRecord(
          record: Spool.record(row), statusCode: Int32(row[9].int64 ?? 0),
          message: row[10].string ?? "")
      }
    }
  }
}
