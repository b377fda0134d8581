import EdgecatCore
import EdgecatStore

extension TelemetryEngine {
  /// Raw rows deleted per write transaction, so that ingest waits for at most one chunk.
  static let retentionChunk = 20_000

  /// Drops the raw records received on UTC days more than `retentionDays` before today, with
  /// `audit` when given, and keeps the rollups. The day figures lose what is dropped. Returns the
  /// days and the number of records.
  public func runRetention(audit: AuditRecord? = nil) async throws(ServiceError)
    -> RetentionResult
  {
    let today = Int64((clock() / 86_400).rounded(.down))
    let cutoff = TimestampText.day(today - Int64(settings.retentionDays)) + " 00:00:00.000"
    do {
      let days = try await store.read { db in
        try db.query(
          "SELECT DISTINCT substr(received_at, 1, 10) FROM inference_logs"
            + " WHERE received_at < ? ORDER BY 1", .text(cutoff)
        ).compactMap { $0[0].string }
      }
      var dropped: Int64 = 0
      var pendingAudit = audit
      while true {
        let auditNow = pendingAudit
        let deleted = try await store.write { db in
          if let auditNow { try AuditTrail.insert(auditNow, into: db) }
          return try RetentionChunk.drop(
            receivedBefore: cutoff, limit: Self.retentionChunk, in: db)
        }
        pendingAudit = nil
        dropped += Int64(deleted)
        if deleted < Self.retentionChunk { break }
      }
      if dropped > 0 {
        logger.info("retention dropped raw records", ["records": dropped, "before": cutoff])
      }
      return RetentionResult(days: days, records: dropped)
    } catch {
      throw storageError(error, "dropping raw records received before \(cutoff)")
    }
  }
}
