import EdgecatCore
import EdgecatStore

extension Spool {
  /// Moves the selected quarantined entries back to the pending queue in one commit, with
  /// their seqs and label ids, so that telemetry can still detect duplicates by
  /// (epoch, seq). Their bytes already count against the cap. Wakes the forwarder. Throws
  /// NOT_FOUND, and moves nothing, when a named seq or id is not in quarantine.
  public func resendQuarantined(_ selection: QuarantineSelection)
    async throws(ServiceError) -> QuarantineChange
  {
    try selection.validate()
    let result: (change: QuarantineChange, mark: ResendMark)
    do {
      result = try await store.write { database in
        try Spool.checkQuarantined(selection, in: database)
        let (recordFilter, labelFilter) = Spool.filters(selection)
        let lowest = try database.queryOne(
          "SELECT (SELECT min(seq) FROM quarantined_records\(recordFilter)),"
            + " (SELECT min(id) FROM quarantined_labels\(labelFilter))",
          Spool.parameters(selection))!
        try database.execute(
          "INSERT INTO pending_records SELECT seq, timestamp_ms, model_full_name,"
            + " model_version, prediction, confidence, latency_ms, input_hash, label,"
            + " byte_size FROM quarantined_records\(recordFilter)",
          Spool.recordParameters(selection))
        let records = Int64(database.changes)
        try database.execute(
          "DELETE FROM quarantined_records\(recordFilter)", Spool.recordParameters(selection))
        try database.execute(
          "INSERT INTO pending_labels (id, epoch, seq, label, byte_size)"
            + " SELECT id, epoch, seq, label, byte_size FROM quarantined_labels\(labelFilter)",
          Spool.labelParameters(selection))
        let labels = Int64(database.changes)
        try database.execute(
          "DELETE FROM quarantined_labels\(labelFilter)", Spool.labelParameters(selection))
        try database.execute(
          "UPDATE spool_state SET records = records + ?, labels = labels + ?,"
            + " quarantined = quarantined - ?", .integer(records), .integer(labels),
          .integer(records + labels))
        let mark = ResendMark(
          afterSeq: UInt64(max(0, (lowest[0].int64 ?? Int64.max) - 1)),
          afterLabelID: (lowest[1].int64 ?? Int64.max) - 1)
        return (QuarantineChange(records: records, labels: labels, bytes: 0), mark)
      }
    } catch let missing as QuarantineMissing {
      throw missing.serviceError
    } catch {
      logger.error("quarantine resend failed", ["error": "\(error)"])
      throw .storage(error, operation: "resending quarantined entries", database: "agent spool")
    }
    let change = result.change
    state.withLock {
      $0.statistics.records += change.records
      $0.statistics.labels += change.labels
      $0.statistics.quarantined -= change.records + change.labels
      if change.records + change.labels > 0 {
        $0.resendMark = result.mark.merged(with: $0.resendMark)
      }
    }
    logger.info(
      "quarantined entries resent",
      [
        "all": selection.all, "records": change.records, "labels": change.labels,
        "spool_quarantined": statistics.quarantined,
      ])
    changes.notify()
    return change
  }

  /// Deletes the selected quarantined entries in one commit and frees their bytes under the
  /// cap. Throws NOT_FOUND, and deletes nothing, when a named seq or id is not in quarantine.
  public func discardQuarantined(_ selection: QuarantineSelection)
    async throws(ServiceError) -> QuarantineChange
  {
    try selection.validate()
    let change: QuarantineChange
    do {
      change = try await store.write { database in
        try Spool.checkQuarantined(selection, in: database)
        let (recordFilter, labelFilter) = Spool.filters(selection)
        let records = try database.queryOne(
          "SELECT count(*), coalesce(sum(byte_size), 0) FROM quarantined_records"
            + recordFilter, Spool.recordParameters(selection))!
        let labels = try database.queryOne(
          "SELECT count(*), coalesce(sum(byte_size), 0) FROM quarantined_labels"
            + labelFilter, Spool.labelParameters(selection))!
        try database.execute(
          "DELETE FROM quarantined_records\(recordFilter)", Spool.recordParameters(selection))
        try database.execute(
          "DELETE FROM quarantined_labels\(labelFilter)", Spool.labelParameters(selection))
        let change = QuarantineChange(
          records: records[0].int64 ?? 0, labels: labels[0].int64 ?? 0,
          bytes: (records[1].int64 ?? 0) + (labels[1].int64 ?? 0))
        try database.execute(
          "UPDATE spool_state SET bytes = bytes - ?, quarantined = quarantined - ?",
          .integer(change.bytes), .integer(change.records + change.labels))
        return change
      }
    } catch let missing as QuarantineMissing {
      throw missing.serviceError
    } catch {
      logger.error("quarantine discard failed", ["error": "\(error)"])
      throw .storage(error, operation: "discarding quarantined entries", database: "agent spool")
    }
    state.withLock {
      $0.statistics.bytes -= change.bytes
      $0.statistics.quarantined -= change.records + change.labels
      if change.bytes > 0 { $0.statistics.full = false }
    }
    logger.info(
      "quarantined entries discarded",
      [
        "all": selection.all, "records": change.records, "labels": change.labels,
        "bytes": change.bytes, "spool_quarantined": statistics.quarantined,
        "spool_bytes": statistics.bytes,
      ])
    return change
  }

  /// Throws `QuarantineMissing` when the selection names seqs or ids not in quarantine.
  private static func checkQuarantined(_ selection: QuarantineSelection, in database: Database)
    throws
  {
    guard !selection.all else { return }
    let seqs = try database.query(
      "SELECT DISTINCT value FROM json_each(?)"
        + " WHERE value NOT IN (SELECT seq FROM quarantined_records) ORDER BY value",
      .text(selection.seqsJSON)
    ).map { UInt64(bitPattern: $0[0].int64 ?? 0) }
    let ids = try database.query(
      "SELECT DISTINCT value FROM json_each(?)"
        + " WHERE value NOT IN (SELECT id FROM quarantined_labels) ORDER BY value",
      .text(selection.labelIDsJSON)
    ).map { $0[0].int64 ?? 0 }
    if !seqs.isEmpty || !ids.isEmpty { throw QuarantineMissing(seqs: seqs, labelIDs: ids) }
  }

  /// Returns the WHERE clauses of the selected records and labels, empty for `all`.
  private static func filters(_ selection: QuarantineSelection) -> (String, String) {
    guard !selection.all else { return ("", "") }
    return (
      " WHERE seq IN (SELECT value FROM json_each(?))",
      " WHERE id IN (SELECT value FROM json_each(?))"
    )
  }

  private static func recordParameters(_ selection: QuarantineSelection) -> [SQLValue] {
    selection.all ? [] : [.text(selection.seqsJSON)]
  }

  private static func labelParameters(_ selection: QuarantineSelection) -> [SQLValue] {
    selection.all ? [] : [.text(selection.labelIDsJSON)]
  }

  private static func parameters(_ selection: QuarantineSelection) -> [SQLValue] {
    recordParameters(selection) + labelParameters(selection)
  }
}
