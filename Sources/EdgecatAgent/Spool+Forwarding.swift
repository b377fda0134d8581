import EdgecatCore
import EdgecatStore

/// Records and labels read from the spool for one batch to telemetry, records in seq order and
/// labels in id order.
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

  /// Deletes the records and labels of an acknowledged batch in one commit. It deletes each
  /// run of consecutive seqs or ids by range, never the range from the first entry to the
  /// last, because an entry resent from quarantine can fill a gap in a batch without being
  /// part of it.
  public func remove(_ batch: SpoolBatch) async throws(ServiceError) {
    guard !batch.isEmpty else { return }
    let seqRuns = Spool.runs(batch.records.map { Int64($0.seq) })
    let idRuns = Spool.runs(batch.labels.map(\.id))
    let removed: (bytes: Int64, records: Int64, labels: Int64)
    do {
      removed = try await store.write { database in
        let records = try Spool.delete(seqRuns, from: "pending_records", key: "seq", database)
        let labels = try Spool.delete(idRuns, from: "pending_labels", key: "id", database)
        let bytes = records.bytes + labels.bytes
        try database.execute(
          "UPDATE spool_state SET bytes = bytes - ?, records = records - ?,"
            + " labels = labels - ?", .integer(bytes), .integer(records.count),
          .integer(labels.count))
        return (bytes, records.count, labels.count)
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

  /// Splits ascending keys into runs of consecutive values, as (first, last) pairs.
  static func runs(_ keys: [Int64]) -> [(first: Int64, last: Int64)] {
    var runs: [(first: Int64, last: Int64)] = []
    for key in keys {
      if let last = runs.last?.last, key == last + 1 {
        runs[runs.count - 1].last = key
      } else {
        runs.append((key, key))
      }
    }
    return runs
  }

  /// Deletes the rows of `table` whose `key` lies in one of `runs` and returns their count and
  /// the sum of their byte_size.
  private static func delete(
    _ runs: [(first: Int64, last: Int64)], from table: String, key: String,
    _ database: Database
  ) throws -> (count: Int64, bytes: Int64) {
    var count: Int64 = 0
    var bytes: Int64 = 0
    for run in runs {
      let row = try database.queryOne(
        "SELECT count(*), coalesce(sum(byte_size), 0) FROM \(table)"
          + " WHERE \(key) BETWEEN ? AND ?", .integer(run.first), .integer(run.last))!
      count += row[0].int64 ?? 0
      bytes += row[1].int64 ?? 0
      try database.execute(
        "DELETE FROM \(table) WHERE \(key) BETWEEN ? AND ?", .integer(run.first),
        .integer(run.last))
    }
    return (count, bytes)
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
