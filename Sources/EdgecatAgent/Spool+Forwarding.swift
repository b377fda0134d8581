import EdgecatCore
import EdgecatStore

/// Records and labels read from the spool for one batch to telemetry. The records are every
/// pending record with a seq from the first record's to the last one's, and the labels every
/// pending label in their id range, so deleting those ranges deletes exactly this batch.
public struct SpoolBatch: Sendable {
  public var records: [SpoolRecord]
  public var labels: [SpoolLabel]

  public var isEmpty: Bool { records.isEmpty && labels.isEmpty }
  public var count: Int { records.count + labels.count }

  /// Splits the batch in two halves by entry count, records first; nil for one entry.
  func split() -> (SpoolBatch, SpoolBatch)? {
    guard count > 1 else { return nil }
    let half = count / 2
    if half <= records.count {
      let first = SpoolBatch(records: Array(records[..<half]), labels: [])
      let second = SpoolBatch(records: Array(records[half...]), labels: labels)
      return first.isEmpty ? nil : (first, second)
    }
    let labelHalf = half - records.count
    let first = SpoolBatch(records: records, labels: Array(labels[..<labelHalf]))
    let second = SpoolBatch(records: [], labels: Array(labels[labelHalf...]))
    return (first, second)
  }
}

extension Spool {
  /// Reads up to `limit` pending records with a seq above `afterSeq`, in seq order, then up
  /// to the rest of `limit` labels with an id above `afterLabelID`.
  public func pending(afterSeq: UInt64, afterLabelID: Int64, limit: Int) async throws
    -> SpoolBatch
  {
    try await store.read { database in
      let records = try database.query(
        "SELECT seq, timestamp_ms, model_full_name, model_version, prediction, confidence,"
          + " latency_ms, input_hash, label FROM pending_records WHERE seq > ? ORDER BY seq"
          + " LIMIT ?", .integer(Int64(afterSeq)), .integer(Int64(limit))
      ).map(Spool.record)
      let room = limit - records.count
      guard room > 0 else { return SpoolBatch(records: records, labels: []) }
      let labels = try database.query(
        "SELECT id, epoch, seq, label FROM pending_labels WHERE id > ? ORDER BY id LIMIT ?",
        .integer(afterLabelID), .integer(Int64(room))
      ).map { row in
        var label = SpoolLabel(
          epoch: row[1].string ?? "", seq: UInt64(bitPattern: row[2].int64 ?? 0),
          label: row[3].double ?? 0)
        label.id = row[0].int64 ?? 0
        return label
      }
      return SpoolBatch(records: records, labels: labels)
    }
  }

  /// Deletes the records and labels of an acknowledged batch in one commit.
  public func remove(_ batch: SpoolBatch) async throws(ServiceError) {
    guard !batch.isEmpty else { return }
    let seqs = batch.records.first.map { (Int64($0.seq), Int64(batch.records.last!.seq)) }
    let ids = batch.labels.first.map { ($0.id, batch.labels.last!.id) }
    let removed: (bytes: Int64, records: Int64, labels: Int64)
    do {
      removed = try await store.write { database in
        var bytes: Int64 = 0
        var records: Int64 = 0
        var labels: Int64 = 0
        if let (first, last) = seqs {
          let row = try database.queryOne(
            "SELECT count(*), coalesce(sum(byte_size), 0) FROM pending_records"
              + " WHERE seq BETWEEN ? AND ?", .integer(first), .integer(last))!
          records = row[0].int64 ?? 0
          bytes += row[1].int64 ?? 0
          try database.execute(
            "DELETE FROM pending_records WHERE seq BETWEEN ? AND ?", .integer(first),
            .integer(last))
        }
        if let (first, last) = ids {
          let row = try database.queryOne(
            "SELECT count(*), coalesce(sum(byte_size), 0) FROM pending_labels"
              + " WHERE id BETWEEN ? AND ?", .integer(first), .integer(last))!
          labels = row[0].int64 ?? 0
          bytes += row[1].int64 ?? 0
          try database.execute(
            "DELETE FROM pending_labels WHERE id BETWEEN ? AND ?", .integer(first),
            .integer(last))
        }
        try database.execute(
          "UPDATE spool_state SET bytes = bytes - ?, records = records - ?,"
            + " labels = labels - ?", .integer(bytes), .integer(records), .integer(labels))
        return (bytes, records, labels)
      }
    } catch {
      logger.error("spool delete failed", ["entries": batch.count, "error": "\(error)"])
      throw .storage(error, operation: "deleting forwarded records", database: "agent spool")
    }
    state.withLock {
      $0.statistics.bytes -= removed.bytes
      $0.statistics.records -= removed.records
      $0.statistics.labels -= removed.labels
      if removed.bytes > 0 { $0.statistics.full = false }
    }
  }

  static func record(_ row: Row) -> SpoolRecord {
    var record = SpoolRecord(
      timestampMs: row[1].int64 ?? 0, modelFullName: row[2].string ?? "",
      modelVersion: row[3].int64 ?? 0, prediction: row[4].double ?? 0,
      confidence: row[5].double, latencyMs: row[6].double ?? 0,
      inputHash: row[7].string ?? "", label: row[8].double)
    record.seq = UInt64(row[0].int64 ?? 0)
    return record
  }
}
