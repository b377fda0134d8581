import EdgecatStore

/// A position in the listing of the quarantine, which lists records by seq, then labels by id.
public enum QuarantinePosition: Sendable, Hashable {
  /// After the record with this seq; 0 is the start of the listing.
  case afterRecord(seq: UInt64)
  /// After the label with this id, so after every record.
  case afterLabel(id: Int64)

  public static let start = QuarantinePosition.afterRecord(seq: 0)
}

/// One page of the quarantine listing.
public struct QuarantinePage: Sendable {
  public var records: [QuarantinedRecord]
  public var labels: [QuarantinedLabel]
  /// The start of the next page; nil on the last page.
  public var next: QuarantinePosition?
}

extension Spool {
  /// Reads up to `limit` quarantined entries after `position`: records in seq order, then
  /// labels in id order. The last page can come back empty when the previous page ended
  /// exactly at the last entry.
  public func quarantinedPage(after position: QuarantinePosition, limit: Int) async throws
    -> QuarantinePage
  {
    precondition(limit > 0, "a page holds at least one entry")
    return try await store.read { database in
      var records: [QuarantinedRecord] = []
      var afterLabelID: Int64 = 0
      switch position {
      case .afterRecord(let seq):
        records = try Spool.quarantinedRecords(
          in: database, afterSeq: Int64(bitPattern: seq), limit: limit)
        if records.count == limit {
          return QuarantinePage(
            records: records, labels: [], next: .afterRecord(seq: records.last!.record.seq))
        }
      case .afterLabel(let id):
        afterLabelID = id
      }
      let room = limit - records.count
      let labels = try Spool.quarantinedLabels(in: database, afterID: afterLabelID, limit: room)
      var next: QuarantinePosition?
      if labels.count == room, let last = labels.last { next = .afterLabel(id: last.label.id) }
      return QuarantinePage(records: records, labels: labels, next: next)
    }
  }

  /// Reads every quarantined record in seq order.
  public func quarantinedRecords() async throws -> [QuarantinedRecord] {
    try await store.read { database in
      try Spool.quarantinedRecords(in: database, afterSeq: 0, limit: Int.max)
    }
  }

  /// Reads every quarantined label in id order.
  public func quarantinedLabels() async throws -> [QuarantinedLabel] {
    try await store.read { database in
      try Spool.quarantinedLabels(in: database, afterID: 0, limit: Int.max)
    }
  }

  private static func quarantinedRecords(in database: Database, afterSeq: Int64, limit: Int)
    throws -> [QuarantinedRecord]
  {
    try database.query(
      "SELECT seq, timestamp_ms, model_full_name, model_version, prediction, confidence,"
        + " latency_ms, input_hash, label, status_code, message, quarantined_ms"
        + " FROM quarantined_records WHERE seq > ? ORDER BY seq LIMIT ?",
      .integer(afterSeq), .integer(Int64(limit))
    ).map { row in
      QuarantinedRecord(
        record: Spool.record(row), statusCode: Int32(row[9].int64 ?? 0),
        message: row[10].string ?? "", quarantinedMs: row[11].int64 ?? 0)
    }
  }

  private static func quarantinedLabels(in database: Database, afterID: Int64, limit: Int)
    throws -> [QuarantinedLabel]
  {
    try database.query(
      "SELECT id, epoch, seq, label, status_code, message, quarantined_ms"
        + " FROM quarantined_labels WHERE id > ? ORDER BY id LIMIT ?",
      .integer(afterID), .integer(Int64(limit))
    ).map { row in
      var label = SpoolLabel(
        epoch: row[1].string ?? "", seq: UInt64(bitPattern: row[2].int64 ?? 0),
        label: row[3].double ?? 0)
      label.id = row[0].int64 ?? 0
      return QuarantinedLabel(
        label: label, statusCode: Int32(row[4].int64 ?? 0), message: row[5].string ?? "",
        quarantinedMs: row[6].int64 ?? 0)
    }
  }
}
