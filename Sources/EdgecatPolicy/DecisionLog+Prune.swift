import EdgecatStore

extension DecisionLog {
  /// The batches deleted per transaction when pruning, so that each prune transaction is
  /// short.
  static let pruneBatchCount = 64

  /// Deletes decisions older than the retention and returns how many it deleted: whole
  /// batches whose newest decision is older, then the older decisions of a batch that spans
  /// the cutoff, rewritten without them.
  @discardableResult
  func prune() async throws -> Int {
    let cutoff = clock() - Double(options.retentionDays) * 86_400
    var deleted = 0
    while true {
      let (batches, decisions) = try await store.write { db in
        try Self.deleteBatches(endingBefore: cutoff, in: db)
      }
      deleted += decisions
      if batches < Self.pruneBatchCount { break }
    }
    deleted += try await store.write { db in try Self.trimBatches(spanning: cutoff, in: db) }
    if deleted > 0 {
      logger.info(
        "decision log pruned", ["deleted": deleted, "retention_days": options.retentionDays])
    }
    return deleted
  }

  /// Deletes up to `pruneBatchCount` batches whose decisions are all older than `cutoff` and
  /// returns how many batches and decisions it deleted.
  private static func deleteBatches(endingBefore cutoff: Double, in db: Database) throws
    -> (batches: Int, decisions: Int)
  {
    let rows = try db.query(
      "SELECT id, count FROM decision_batches WHERE last_time < ? LIMIT ?", .real(cutoff),
      .integer(Int64(pruneBatchCount)))
    var decisions = 0
    for row in rows {
      let id = SQLValue.integer(row[0].int64 ?? 0)
      try db.execute("DELETE FROM decision_batches WHERE id = ?", id)
      try db.execute("DELETE FROM decision_batch_names WHERE batch = ?", id)
      decisions += Int(row[1].int64 ?? 0)
    }
    return (rows.count, decisions)
  }

  /// Rewrites each batch with decisions on both sides of `cutoff` without the older ones and
  /// returns how many it removed.
  private static func trimBatches(spanning cutoff: Double, in db: Database) throws -> Int {
    let rows = try db.query(
      "SELECT id, body FROM decision_batches WHERE first_time < ? AND last_time >= ?",
      .real(cutoff), .real(cutoff))
    var removed = 0
    for row in rows {
      let id = row[0].int64 ?? 0
      guard case .blob(let body) = row[1], let batch = DecodedDecisionBatch(body: body) else {
        throw DecisionBatchError.corrupt(batch: id)
      }
      var writer = DecisionBatchWriter(rowCapacity: batch.rows.count)
      for decision in batch.rows where decision.time >= cutoff {
        writer.append(
          batch.kinds[decision.kind], time: decision.time, serial: decision.serial,
          requestID: decision.requestID)
      }
      removed += batch.rows.count - writer.count
      try db.execute(
        "UPDATE decision_batches SET first_time = ?, last_time = ?, count = ?, body = ?"
          + " WHERE id = ?",
        .real(writer.firstTime), .real(writer.lastTime), .integer(Int64(writer.count)),
        .blob(writer.body()), .integer(id))
      try db.execute("DELETE FROM decision_batch_names WHERE batch = ?", .integer(id))
      try insertNames(of: writer.kinds, batch: id, into: db)
    }
    return removed
  }
}

/// A stored batch that does not decode.
enum DecisionBatchError: Error, CustomStringConvertible {
  case corrupt(batch: Int64)

  var description: String {
    switch self {
    case .corrupt(let batch):
      "decision_batches row \(batch) does not decode; restore the policy database from a backup"
    }
  }
}
