import EdgecatCore
import EdgecatStore

extension BatchWriter {
  /// The rowids a batch stored so far, lowest and highest.
  typealias RowidRange = (first: Int64, last: Int64)

  /// Inserts the batch's records in multi-row statements, counts them and adds the stored
  /// ones to `rollups`. Returns the lowest and highest rowid stored, or nil when every record
  /// was stored before.
  static func insertRecords(
    _ batch: PreparedIngest, into db: Database, counts: inout BatchCounts,
    rollups: inout RollupBatch
  ) throws -> RowidRange? {
    let sizes = statementSizes(for: batch.records.count)
    let positions = Array(Set(sizes)).sorted()
    // The statements are fetched together before the loop and no other statement is
    // prepared in it, so the statement cache cannot finalize them mid-batch.
    let statements = try db.prepared(positions.map { insertSQL[$0] } + [storedSQL])
    let stored = statements[positions.count]
    var scratch = TextScratch()
    var versionText = (version: Int64(0), text: "0")
    var rowids: RowidRange?
    let receivedAt = Array(batch.receivedAtText.utf8)
    try receivedAt.withUnsafeBufferPointer { receivedAt in
      try batch.timestampText.withUnsafeBufferPointer { timestamps in
        var start = 0
        for position in sizes {
          let rows = start..<start + rowsPerStatement[position]
          start = rows.upperBound
          let insert = statements[positions.firstIndex(of: position)!]
          // Clears the borrowed bindings before the scratch is reused.
          defer { insert.reset() }
          scratch.reset(minimumCapacity: textByteCount(batch, rows))

          for index in rows {
            let record = batch.records[index]
            if versionText.version != record.modelVersion {
              versionText = (record.modelVersion, String(record.modelVersion))
            }
            let firstColumn = Int32(index - rows.lowerBound) * columnCount + 1
            try bind(
              batch, at: index, version: versionText.text, firstColumn: firstColumn,
              timestamps: timestamps, receivedAt: receivedAt, to: insert, copying: &scratch)
          }

          _ = try insert.step()
          let inserted = Int64(db.changes)
          if inserted == Int64(rows.count) {
            // NOTE: the rowids are consecutive because SQLite gives each new row the largest
            // rowid plus one, until a rowid reaches Int64.max.
            let last = db.lastInsertRowID
            rowids = widened(rowids, last - inserted + 1, last)
            for index in rows { addStored(batch, at: index, counts: &counts, rollups: &rollups) }
          } else {
            let newAbove = inserted > 0 ? db.lastInsertRowID - inserted : Int64.max
            try settle(
              batch, rows, newAbove: newAbove, timestamps: timestamps, stored: stored,
              counts: &counts, rollups: &rollups, rowids: &rowids)
          }
        }
      }
    }
    return rowids
  }

  /// Counts the rows of a statement that stored fewer rows than it had. A row whose stored
  /// copy has a rowid above `newAbove` was stored by this statement, unless an earlier row
  /// with the same identity claimed that copy. Every other row is a duplicate or a conflict
  /// of the stored copy.
  private static func settle(
    _ batch: PreparedIngest, _ rows: Range<Int>, newAbove: Int64,
    timestamps: UnsafeBufferPointer<UInt8>, stored: PreparedStatement,
    counts: inout BatchCounts, rollups: inout RollupBatch, rowids: inout RowidRange?
  ) throws {
    var claimedRowids = Set<Int64>()
    for index in rows {
      let length = TimestampText.length
      let timestamp = UnsafeBufferPointer(
        rebasing: timestamps[index * length..<(index + 1) * length])
      let copy = try storedCopy(
        batch.records[index], timestamp: timestamp, model: batch.modelNames[index],
        as: stored)
      if let copy, copy.rowid > newAbove, claimedRowids.insert(copy.rowid).inserted {
        rowids = widened(rowids, copy.rowid, copy.rowid)
        addStored(batch, at: index, counts: &counts, rollups: &rollups)
      } else if copy?.same == true {
        counts.duplicates += 1
      } else {
        counts.conflicts += 1
      }
    }
  }

  private static func addStored(
    _ batch: PreparedIngest, at index: Int, counts: inout BatchCounts,
    rollups: inout RollupBatch
  ) {
    let record = batch.records[index]
    counts.stored += 1
    rollups.add(
      device: record.deviceID, model: batch.modelNames[index], version: record.modelVersion,
      timestampMilliseconds: record.timestampMs, confidence: record.presentConfidence,
      latency: record.latencyMs, prediction: record.prediction, label: record.presentLabel)
  }

  private static func widened(_ range: RowidRange?, _ first: Int64, _ last: Int64) -> RowidRange
  {
    guard let range else { return (first, last) }
    return (min(range.first, first), max(range.last, last))
  }

  /// The length of `String(Int64.min)`, the longest text of a model version.
  private static let longestVersionText = String(Int64.min).utf8.count

  /// Returns the bytes of text that `rows` copy into the scratch, the version's text counted
  /// at its longest.
  private static func textByteCount(_ batch: PreparedIngest, _ rows: Range<Int>) -> Int {
    var count = 0
    for index in rows {
      let record = batch.records[index]
      count +=
        record.deviceID.utf8.count + record.epoch.utf8.count + record.inputHash.utf8.count
        + batch.modelNames[index].utf8.count + (batch.regions[index]?.utf8.count ?? 0)
        + longestVersionText
    }
    return count
  }
}
