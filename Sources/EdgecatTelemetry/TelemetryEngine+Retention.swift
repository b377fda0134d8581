import EdgecatCore
import EdgecatStore

extension TelemetryEngine {
  /// Raw rowids scanned per write transaction, so that ingest waits for at most one chunk.
  static let retentionChunk = 20_000

  /// Drops the raw records received on UTC days more than `retentionDays` before today, with
  /// `audit` when given, and keeps the rollups. Then rebuilds the day figures of the days it
  /// dropped records of. Returns the days and the number of records.
  public func runRetention(audit: AuditRecord? = nil) async throws(ServiceError)
    -> RetentionResult
  {
    let today = Int64((clock() / 86_400).rounded(.down))
    let cutoff = TimestampText.day(today - Int64(settings.retentionDays)) + " 00:00:00.000"
    do {
      let days = try await store.read { db in
        try LogPartitions.days(before: String(cutoff.prefix(10)), in: db)
      }
      var dropped: Int64 = 0
      var pendingAudit = audit
      while true {
        let auditNow = pendingAudit
        let deleted = try await store.write { db in
          if let auditNow { try AuditTrail.insert(auditNow, into: db) }
          return try LogPartitions.deleteChunk(
            before: cutoff, span: Int64(Self.retentionChunk), in: db)
        }
        pendingAudit = nil
        guard let deleted else { break }
        dropped += Int64(deleted)
      }
      if dropped > 0 {
        logger.info("retention dropped raw records", ["records": dropped, "before": cutoff])
      }
      try await rebuildStaleDayFigures()
      return RetentionResult(days: days, records: dropped)
    } catch {
      throw storageError(error, "dropping raw records received before \(cutoff)")
    }
  }

  /// Rebuilds the day figures of every stale day, one write transaction per day, including
  /// days left stale by a run that stopped midway.
  func rebuildStaleDayFigures() async throws {
    let days = try await store.read { db in
      try db.query("SELECT day FROM inference_day_figures_stale ORDER BY day")
        .compactMap { $0[0].string }
    }
    for day in days {
      try await store.write { db in try DayFiguresRebuild.rebuild(day: day, in: db) }
    }
    if !days.isEmpty {
      logger.info("day figures rebuilt", ["days": days.count, "first": days[0]])
    }
  }
}
