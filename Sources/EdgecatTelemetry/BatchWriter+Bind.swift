import EdgecatCore
import EdgecatStore

extension BatchWriter {
  /// Binds the 14 columns of the record at `index` to the parameters from `firstColumn` on.
  /// Text is copied into `scratch` and borrowed by the statement, which saves SQLite an
  /// allocation per text value.
  static func bind(
    _ batch: PreparedIngest, at index: Int, version: String, firstColumn: Int32,
    timestamps: UnsafeBufferPointer<UInt8>, receivedAt: UnsafeBufferPointer<UInt8>,
    to insert: PreparedStatement, copying scratch: inout TextScratch
  ) throws {
    let record = batch.records[index]
    let length = TimestampText.length
    let column = firstColumn
    try insert.bind(borrowedUTF8: scratch.copy(record.deviceID), at: column)
    try insert.bind(
      borrowedUTF8: UnsafeBufferPointer(
        rebasing: timestamps[index * length..<(index + 1) * length]), at: column + 1)
    try insert.bind(borrowedUTF8: scratch.copy(version), at: column + 2)
    try insert.bind(record.prediction, at: column + 3)
    if let confidence = record.presentConfidence {
      try insert.bind(confidence, at: column + 4)
    } else {
      try insert.bindNull(at: column + 4)
    }
    try insert.bind(record.latencyMs, at: column + 5)
    if record.inputHash.isEmpty {
      try insert.bindNull(at: column + 6)
    } else {
      try insert.bind(borrowedUTF8: scratch.copy(record.inputHash), at: column + 6)
    }
    if let label = record.presentLabel {
      try insert.bind(label, at: column + 7)
    } else {
      try insert.bindNull(at: column + 7)
    }
    if let region = batch.regions[index] {
      try insert.bind(borrowedUTF8: scratch.copy(region), at: column + 8)
    } else {
      try insert.bindNull(at: column + 8)
    }
    try insert.bind(borrowedUTF8: scratch.copy(batch.modelNames[index]), at: column + 9)
    try insert.bind(borrowedUTF8: scratch.copy(record.epoch), at: column + 10)
    try insert.bind(Int64(record.seq), at: column + 11)
    try insert.bind(borrowedUTF8: receivedAt, at: column + 12)
    try insert.bind(Int64(batch.futureClock[index] ? 1 : 0), at: column + 13)
  }

  /// Returns the rowid of the stored record with the identity of `record`, and whether it has
  /// the same content, or nil when none is stored. The label is left out of the comparison,
  /// because a later label update changes it.
  static func storedCopy(
    _ record: IngestValidation.Record, timestamp: UnsafeBufferPointer<UInt8>, model: String,
    as stored: PreparedStatement
  ) throws -> (rowid: Int64, same: Bool)? {
    defer { stored.reset() }
    try stored.bind(record.deviceID, at: 1)
    try stored.bind(record.epoch, at: 2)
    try stored.bind(Int64(record.seq), at: 3)
    guard try stored.step() else { return nil }
    let sameTimestamp = stored.withUTF8(at: 1) { $0.elementsEqual(timestamp) }
    let confidence = record.presentConfidence
    let sameConfidence =
      stored.isNull(at: 5) ? confidence == nil : confidence == stored.double(at: 5)
    let same =
      sameTimestamp && sameConfidence && stored.string(at: 2) == model
      && stored.string(at: 3) == String(record.modelVersion)
      && stored.double(at: 4) == record.prediction && stored.double(at: 6) == record.latencyMs
      && stored.string(at: 7) == record.inputHash
    return (stored.int64(at: 0), same)
  }
}
