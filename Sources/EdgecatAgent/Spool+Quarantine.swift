import EdgecatCore
import EdgecatStore

/// A record telemetry rejected on its own, with the status code and message of the rejection.
public struct QuarantinedRecord: Sendable, Hashable {
  public var record: SpoolRecord
  /// The gRPC status code of telemetry's acknowledgement.
  public var statusCode: Int32
  public var message: String
  /// When the agent moved the record to quarantine, in milliseconds since the Unix epoch.
  public var quarantinedMs: Int64
}

/// A label telemetry rejected on its own, with the status code and message of the rejection.
public struct QuarantinedLabel: Sendable, Hashable {
  /// The label, with its row id in the spool.
  public var label: SpoolLabel
  public var statusCode: Int32
  public var message: String
  /// When the agent moved the label to quarantine, in milliseconds since the Unix epoch.
  public var quarantinedMs: Int64
}

extension Spool {
  /// Moves the single record or label of `batch` from the pending queue to quarantine in one
  /// commit, with telemetry's `statusCode` and `message`. Its bytes keep counting against the
  /// cap until `discardQuarantined` deletes it, and `resendQuarantined` moves it back. Returns
  /// false when the entry was no longer pending.
  func quarantine(_ batch: SpoolBatch, statusCode: Int32, message: String)
    async throws(ServiceError) -> Bool
  {
    precondition(batch.count == 1, "only a batch of one entry can be quarantined")
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
}
