import EdgecatCore
import EdgecatProto
import EdgecatStore

/// Label updates applied, and those naming no stored record.
struct LabelCounts: Sendable {
  var applied: Int64 = 0
  var unmatched: Int64 = 0
}

/// Sets the labels of stored records inside a write transaction and moves the labelled and
/// correct counts of their hourly rollups by the change.
enum LabelWriter {
  /// Applies `updates` in order. An update that repeats the stored label counts as applied and
  /// changes nothing; a different label replaces the stored one.
  static func apply(
    _ updates: [Edgecat_Telemetry_V1_LabelUpdate], in db: Database
  ) throws -> LabelCounts {
    var counts = LabelCounts()
    for update in updates {
      let row = try db.queryOne(
        "SELECT rowid, timestamp, model_name, model_version, prediction, label"
          + " FROM inference_logs WHERE device_id = ? AND epoch = ? AND seq = ?",
        .text(update.deviceID), .text(update.epoch), .integer(Int64(update.seq)))
      guard let row else {
        counts.unmatched += 1
        continue
      }
      counts.applied += 1
      let previous = row[5].double
      guard previous != update.label else { continue }
      try db.execute(
        "UPDATE inference_logs SET label = ? WHERE rowid = ?", .real(update.label), row[0])

      let prediction = row[4].double
      let wasCorrect: Int64 = previous != nil && prediction == previous ? 1 : 0
      let isCorrect: Int64 = prediction == update.label ? 1 : 0
      let timestamp = try DatetimeText.parse(row[1].string ?? "", field: "timestamp")
      let hour = Int64((timestamp / 3600).rounded(.down))
      try db.execute(
        "UPDATE rollup_hourly SET labelled_count = labelled_count + ?,"
          + " correct_count = correct_count + ? WHERE hour = ? AND device_id = ?"
          + " AND model_name = ? AND model_version = ?",
        .integer(previous == nil ? 1 : 0), .integer(isCorrect - wasCorrect), .integer(hour),
        .text(update.deviceID), row[2], .integer(Int64(row[3].string ?? "") ?? 0))
    }
    return counts
  }
}
