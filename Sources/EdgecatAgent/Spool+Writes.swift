import EdgecatCore
import EdgecatStore

extension Spool {
  /// Stores `records` in one commit and returns them with their seqs, in order. Over the
  /// byte cap, nothing is stored and the error is RESOURCE_EXHAUSTED.
  public func append(_ records: [SpoolRecord]) async throws(ServiceError) -> [SpoolRecord] {
    guard !records.isEmpty else { return [] }
    let bytes = records.reduce(Int64(0)) { $0 + $1.byteSize }
    let cap = maximumBytes
    let stored: [SpoolRecord]
    do {
      stored = try await store.write { database in
        let row = try database.queryOne("SELECT next_seq, bytes FROM spool_state")!
        let used = row[1].int64 ?? 0
        guard used + bytes <= cap else { throw SpoolFull(used: used, requested: bytes) }
        var next = UInt64(row[0].int64 ?? 1)
        var stored = records
        for index in stored.indices {
          stored[index].seq = next
          try Spool.insert(stored[index], into: database)
          next += 1
        }
        try database.execute(
          "UPDATE spool_state SET next_seq = ?, bytes = bytes + ?, records = records + ?",
          .integer(Int64(next)), .integer(bytes), .integer(Int64(records.count)))
        return stored
      }
    } catch let full as SpoolFull {
      throw rejected(full, what: "\(records.count) records")
    } catch {
      logger.error("spool write failed", ["records": records.count, "error": "\(error)"])
      throw .storage(error, operation: "storing inference records", database: "agent spool")
    }
    CrashPoint.check(CrashPoint.afterSpoolCommit)
    accepted(bytes: bytes, records: Int64(records.count), labels: 0)
    return stored
  }

  /// Stores labels of earlier records in one commit and returns how many were stored. Over
  /// the byte cap, nothing is stored and the error is RESOURCE_EXHAUSTED.
  public func appendLabels(_ labels: [SpoolLabel]) async throws(ServiceError) -> Int {
    guard !labels.isEmpty else { return 0 }
    let bytes = labels.reduce(Int64(0)) { $0 + $1.byteSize }
    let cap = maximumBytes
    do {
      try await store.write { database in
        let used = try database.queryOne("SELECT bytes FROM spool_state")![0].int64 ?? 0
        guard used + bytes <= cap else { throw SpoolFull(used: used, requested: bytes) }
        for label in labels {
          try database.execute(
            "INSERT INTO pending_labels (epoch, seq, label, byte_size) VALUES (?, ?, ?, ?)",
            .text(label.epoch), .integer(Int64(bitPattern: label.seq)), .real(label.label),
            .integer(label.byteSize))
        }
        try database.execute(
          "UPDATE spool_state SET bytes = bytes + ?, labels = labels + ?", .integer(bytes),
          .integer(Int64(labels.count)))
      }
    } catch let full as SpoolFull {
      throw rejected(full, what: "\(labels.count) labels")
    } catch {
      logger.error("spool write failed", ["labels": labels.count, "error": "\(error)"])
      throw .storage(error, operation: "storing labels", database: "agent spool")
    }
    accepted(bytes: bytes, records: 0, labels: Int64(labels.count))
    return labels.count
  }

  private static func insert(_ record: SpoolRecord, into database: Database) throws {
    try database.execute(
      "INSERT INTO pending_records (seq, timestamp_ms, model_full_name, model_version,"
        + " prediction, confidence, latency_ms, input_hash, label, byte_size)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      [
        .integer(Int64(record.seq)), .integer(record.timestampMs), .text(record.modelFullName),
        .integer(record.modelVersion), .real(record.prediction), SQLValue(record.confidence),
        .real(record.latencyMs), .text(record.inputHash), SQLValue(record.label),
        .integer(record.byteSize),
      ])
  }

  private func accepted(bytes: Int64, records: Int64, labels: Int64) {
    state.withLock {
      $0.statistics.bytes += bytes
      $0.statistics.records += records
      $0.statistics.labels += labels
      $0.statistics.full = false
    }
    changes.notify()
  }

  /// Returns the error for a call the spool cannot take, logging at most one line per interval.
  /// The spool is marked full only when the call would fit an empty one, because a call larger
  /// than the whole cap is rejected however empty the spool is.
  private func rejected(_ full: SpoolFull, what: String) -> ServiceError {
    let isOversized = full.requested > maximumBytes
    let now = ContinuousClock.now
    let suppressed: Int? = state.withLock { state in
      if !isOversized { state.statistics.full = true }
      if let last = state.lastRejectionLog, now - last < Spool.rejectionLogInterval {
        state.unloggedRejections += 1
        return nil
      }
      defer { state.unloggedRejections = 0 }
      state.lastRejectionLog = now
      return state.unloggedRejections
    }
    if let suppressed {
      logger.error(
        isOversized
          ? "call larger than the whole spool rejected" : "spool full, rejecting new writes",
        [
          "bytes": full.used, "requested_bytes": full.requested, "max_bytes": maximumBytes,
          "quarantined": statistics.quarantined, "rejections_not_logged": suppressed,
        ])
    }
    guard !isOversized else {
      return .resourceExhausted(
        "the agent spool cannot take this call: \(what) need \(full.requested) bytes, more than"
          + " the whole --spool-max-bytes of \(maximumBytes); nothing was stored, so split the"
          + " call into smaller ones or raise --spool-max-bytes")
    }
    let quarantined = statistics.quarantined
    let occupancy =
      quarantined == 0
      ? "are waiting for telemetry"
      : "are waiting for telemetry or held in quarantine (\(quarantined) entries telemetry"
        + " rejected)"
    return .resourceExhausted(
      "the agent spool is full: \(full.used) of \(maximumBytes) bytes \(occupancy) and \(what)"
        + " need \(full.requested) more; nothing was stored, so retry once the agent has"
        + " forwarded its backlog, or raise --spool-max-bytes")
  }
}

/// Thrown inside a spool transaction to roll it back when the cap would be exceeded.
struct SpoolFull: Error {
  let used: Int64
  let requested: Int64
}
