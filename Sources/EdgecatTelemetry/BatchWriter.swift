import EdgecatCore
import EdgecatStore

/// The outcome of storing one batch.
struct BatchCounts: Sendable {
  var stored: Int64 = 0
  var duplicates: Int64 = 0
  var conflicts: Int64 = 0
  var labels = LabelCounts()
  /// The distinct writers of the stored records.
  var writers: [InferenceWriter] = []
}

/// Stores a prepared batch inside the writer thread's transaction: raw rows, rollups, labels
/// and the audit event.
enum BatchWriter {
  static let columns =
    "device_id, timestamp, model_version, prediction, confidence, latency_ms, input_hash,"
    + " label, region, model_name, epoch, seq, received_at, future_clock"
  static let columnCount: Int32 = 14
  /// Rows per INSERT statement, largest first. A batch is split into statements of these
  /// sizes, because SQLite pays its per-statement work (opening cursors, the statement
  /// journal, freeing registers) once per statement rather than once per row.
  static let rowsPerStatement = [512, 256, 128, 64, 32, 16, 8, 4, 2, 1]
  /// The INSERT of each size in `rowsPerStatement`, in that order.
  static let insertSQL: [String] = rowsPerStatement.map { rows in
    let row = "(" + Array(repeating: "?", count: Int(columnCount)).joined(separator: ", ") + ")"
    return "INSERT INTO inference_logs (\(columns)) VALUES "
      + Array(repeating: row, count: rows).joined(separator: ", ")
      + " ON CONFLICT (device_id, epoch, seq) DO NOTHING"
  }
  static let storedSQL =
    "SELECT rowid, timestamp, model_name, model_version, prediction, confidence, latency_ms,"
    + " input_hash FROM inference_logs WHERE device_id = ? AND epoch = ? AND seq = ?"

  static func write(_ batch: PreparedIngest, into db: Database) throws -> BatchCounts {
    var counts = BatchCounts()
    if let audit = batch.audit { try AuditTrail.insert(audit, into: db) }
    if !batch.records.isEmpty {
      var rollups = RollupBatch()
      let rowids = try insertRecords(batch, into: db, counts: &counts, rollups: &rollups)
      if let rowids {
        try LogPartitions.record(
          day: String(batch.receivedAtText.prefix(10)), first: rowids.first, last: rowids.last,
          into: db)
      }
      try rollups.save(receivedAtText: batch.receivedAtText, into: db)
      var writers = Set<InferenceWriter>()
      for key in rollups.hourlyKeys {
        writers.insert(InferenceWriter(device: key.device, model: key.model, version: key.version))
      }
      counts.writers = Array(writers)
    }
    if !batch.labels.isEmpty {
      counts.labels = try LabelWriter.apply(batch.labels, in: db)
    }
    return counts
  }

  /// Returns the positions in `rowsPerStatement` of the statements that together insert
  /// `count` rows, largest first.
  static func statementSizes(for count: Int) -> [Int] {
    var left = count
    var positions: [Int] = []
    for (position, rows) in rowsPerStatement.enumerated() {
      while left >= rows {
        positions.append(position)
        left -= rows
      }
    }
    return positions
  }
}

extension IngestValidation.Record {
  /// The confidence when the record has one.
  var presentConfidence: Double? {
    if case .confidence(let value)? = confidenceValue { return value }
    return nil
  }

  /// The label when the record has one.
  var presentLabel: Double? {
    if case .label(let value)? = labelValue { return value }
    return nil
  }
}
