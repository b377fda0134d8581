import EdgecatStore

/// One step of retention inside a write transaction: drops the raw records of a rowid range
/// received before a cutoff and subtracts them from the day figures, so that those keep
/// matching the raw table.
enum RetentionChunk {
  /// The sums of the dropped records of one day figures row, in table column order.
  private struct Dropped {
    var records: Int64 = 0
    var confidenceCount: Int64 = 0
    var confidenceSum = 0.0
    var confidenceSquares = 0.0
    var latencyCount: Int64 = 0
    var latencySum = 0.0
    var latencySquares = 0.0

    mutating func add(confidence: Double?, latency: Double?) {
      records += 1
      if let confidence {
        confidenceCount += 1
        confidenceSum += confidence
        confidenceSquares += confidence * confidence
      }
      if let latency {
        latencyCount += 1
        latencySum += latency
        latencySquares += latency * latency
      }
    }
  }

  /// The day figures key of a raw row: `date(timestamp)`, device, model and version text.
  private struct Key: Hashable {
    var day: String
    var device: String
    var model: String
    var version: String
  }

  private static let subtractSQL =
    "UPDATE inference_day_figures SET record_count = record_count - ?,"
    + " confidence_count = confidence_count - ?, confidence_sum = confidence_sum - ?,"
    + " confidence_squares = confidence_squares - ?, latency_count = latency_count - ?,"
    + " latency_sum = latency_sum - ?, latency_squares = latency_squares - ?"
    + " WHERE day = ? AND device_id = ? AND model_name = ? AND model_version = ?"

  /// Drops the records with rowids in `rowids` that were received before `cutoff` (datetime
  /// text) and returns how many it dropped. Day figures rows left without records are deleted.
  static func drop(rowids: ClosedRange<Int64>, receivedBefore cutoff: String, in db: Database)
    throws -> Int
  {
    let rows = try db.query(
      "SELECT rowid, date(timestamp), device_id, model_name, model_version, confidence,"
        + " latency_ms FROM inference_logs WHERE rowid BETWEEN ? AND ? AND received_at < ?",
      .integer(rowids.lowerBound), .integer(rowids.upperBound), .text(cutoff))
    guard !rows.isEmpty else { return 0 }
    var keys: [Key] = []
    var dropped: [Key: Dropped] = [:]
    let delete = try db.prepared("DELETE FROM inference_logs WHERE rowid = ?")
    defer { delete.reset() }
    for row in rows {
      let key = Key(
        day: row[1].string ?? "", device: row[2].string ?? "", model: row[3].string ?? "",
        version: row[4].string ?? "")
      if dropped[key] == nil { keys.append(key) }
      dropped[key, default: Dropped()].add(confidence: row[5].double, latency: row[6].double)
      try delete.bind(row[0].int64 ?? 0, at: 1)
      _ = try delete.step()
      delete.resetKeepingBindings()
    }
    for key in keys {
      guard let sums = dropped[key] else { continue }
      try db.execute(
        subtractSQL, .integer(sums.records), .integer(sums.confidenceCount),
        .real(sums.confidenceSum), .real(sums.confidenceSquares), .integer(sums.latencyCount),
        .real(sums.latencySum), .real(sums.latencySquares), .text(key.day), .text(key.device),
        .text(key.model), .text(key.version))
    }
    try db.execute("DELETE FROM inference_day_figures WHERE record_count <= 0")
    return rows.count
  }
}
