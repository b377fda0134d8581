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
  static let insertSQL =
    "INSERT INTO inference_logs (device_id, timestamp, model_version, prediction, confidence,"
    + " latency_ms, input_hash, label, region, model_name, epoch, seq, received_at,"
    + " future_clock) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    + " ON CONFLICT (device_id, epoch, seq) DO NOTHING"
  static let storedSQL =
    "SELECT timestamp, model_name, model_version, prediction, confidence, latency_ms,"
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

  /// Inserts the batch's records and returns the lowest and highest rowid stored, or nil
  /// when every record was already stored.
  private static func insertRecords(
    _ batch: PreparedIngest, into db: Database, counts: inout BatchCounts,
    rollups: inout RollupBatch
  ) throws -> (first: Int64, last: Int64)? {
    // Both statements are fetched together before the loop and no other statement is
    // prepared in it, so the statement cache cannot finalize them mid-batch.
    let statements = try db.prepared([insertSQL, storedSQL])
    let insert = statements[0]
    let stored = statements[1]
    defer { insert.reset() }
    var scratch = TextScratch()
    var versionText = (version: Int64(0), text: "")
    let receivedAt = Array(batch.receivedAtText.utf8)
    var rowids: (first: Int64, last: Int64)?
    try receivedAt.withUnsafeBufferPointer { receivedAt in
      try batch.timestampText.withUnsafeBufferPointer { timestamps in
        for (index, record) in batch.records.enumerated() {
          if versionText.version != record.modelVersion {
            versionText = (record.modelVersion, String(record.modelVersion))
          }
          let length = TimestampText.length
          let timestamp = UnsafeBufferPointer(
            rebasing: timestamps[index * length..<(index + 1) * length])
          let model = batch.modelNames[index]
          scratch.reserve(
            record, model: model, region: batch.regions[index], version: versionText.text)
          try bind(
            record, model: model, region: batch.regions[index], version: versionText.text,
            timestamp: timestamp, receivedAt: receivedAt,
            futureClock: batch.futureClock[index], to: insert, copying: &scratch)
          _ = try insert.step()
          insert.resetKeepingBindings()

          if db.changes == 1 {
            let rowid = db.lastInsertRowID
            rowids = (min(rowids?.first ?? rowid, rowid), max(rowids?.last ?? rowid, rowid))
            counts.stored += 1
            rollups.add(
              device: record.deviceID, model: model, version: record.modelVersion,
              timestampMilliseconds: record.timestampMs, confidence: record.presentConfidence,
              latency: record.latencyMs, prediction: record.prediction, label: record.presentLabel)
          } else if try isSame(
            record, timestamp: timestamp, model: model, version: versionText.text, as: stored)
          {
            counts.duplicates += 1
          } else {
            counts.conflicts += 1
          }
        }
      }
    }
    return rowids
  }

  /// Binds the 14 columns of one record. Text is copied into `scratch` and borrowed by the
  /// statement, which saves SQLite an allocation per text value.
  private static func bind(
    _ record: IngestValidation.Record, model: String, region: String?, version: String,
    timestamp: UnsafeBufferPointer<UInt8>, receivedAt: UnsafeBufferPointer<UInt8>,
    futureClock: Bool, to insert: PreparedStatement, copying scratch: inout TextScratch
  ) throws {
    try insert.bind(borrowedUTF8: scratch.copy(record.deviceID), at: 1)
    try insert.bind(borrowedUTF8: timestamp, at: 2)
    try insert.bind(borrowedUTF8: scratch.copy(version), at: 3)
    try insert.bind(record.prediction, at: 4)
    if let confidence = record.presentConfidence {
      try insert.bind(confidence, at: 5)
    } else {
      try insert.bindNull(at: 5)
    }
    try insert.bind(record.latencyMs, at: 6)
    if record.inputHash.isEmpty {
      try insert.bindNull(at: 7)
    } else {
      try insert.bind(borrowedUTF8: scratch.copy(record.inputHash), at: 7)
    }
    if let label = record.presentLabel {
      try insert.bind(label, at: 8)
    } else {
      try insert.bindNull(at: 8)
    }
    if let region {
      try insert.bind(borrowedUTF8: scratch.copy(region), at: 9)
    } else {
      try insert.bindNull(at: 9)
    }
    try insert.bind(borrowedUTF8: scratch.copy(model), at: 10)
    try insert.bind(borrowedUTF8: scratch.copy(record.epoch), at: 11)
    try insert.bind(Int64(record.seq), at: 12)
    try insert.bind(borrowedUTF8: receivedAt, at: 13)
    try insert.bind(Int64(futureClock ? 1 : 0), at: 14)
  }

  /// Returns whether the stored record with the same identity has the same content. The label
  /// is left out, because a later label update changes it.
  private static func isSame(
    _ record: IngestValidation.Record, timestamp: UnsafeBufferPointer<UInt8>, model: String,
    version: String, as stored: PreparedStatement
  ) throws -> Bool {
    defer { stored.reset() }
    try stored.bind(record.deviceID, at: 1)
    try stored.bind(record.epoch, at: 2)
    try stored.bind(Int64(record.seq), at: 3)
    guard try stored.step() else { return false }
    let sameTimestamp = stored.withUTF8(at: 0) { $0.elementsEqual(timestamp) }
    let confidence = record.presentConfidence
    let sameConfidence =
      stored.isNull(at: 4) ? confidence == nil : confidence == stored.double(at: 4)
    return sameTimestamp && sameConfidence && stored.string(at: 1) == model
      && stored.string(at: 2) == version && stored.double(at: 3) == record.prediction
      && stored.double(at: 5) == record.latencyMs && stored.string(at: 6) == record.inputHash
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
