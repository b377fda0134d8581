import EdgecatCore
import EdgecatProto

/// Checks every record and label update of a batch before anything is stored. Each failure
/// is INVALID_ARGUMENT naming the entry's index, the field, the value and the fix.
enum IngestValidation {
  typealias Record = Edgecat_Telemetry_V1_InferenceLogRecord

  /// Checks `record` at `index` of its batch and returns its model name in lower case.
  /// `previous` is the last raw name and its folded form, to skip re-checking a repeated name.
  static func check(
    _ record: Record, at index: Int, previous: (raw: String, folded: String)?
  ) throws(ServiceError) -> String {
    func invalid(_ field: String, _ value: String, _ fix: String) -> ServiceError {
      .invalidArgument("record \(index): \(field) \(value) is invalid; \(fix)")
    }
    guard !record.deviceID.isEmpty else {
      throw invalid("device_id", "''", "set it to the sending device's id")
    }
    guard !record.epoch.isEmpty else {
      throw invalid("epoch", "''", "set it to the id of the agent's spool")
    }
    guard record.seq <= UInt64(Int64.max) else {
      throw invalid("seq", "\(record.seq)", "number records from 0 up to \(Int64.max)")
    }
    guard record.timestampMs > 0, record.timestampMs < TimestampText.endMilliseconds else {
      throw invalid(
        "timestamp_ms", "\(record.timestampMs)",
        "send milliseconds since the Unix epoch, after 1970 and before year 10000")
    }
    guard record.modelVersion >= 1 else {
      throw invalid("model_version", "\(record.modelVersion)", "send a version number of 1 or more")
    }
    guard record.prediction.isFinite else {
      throw invalid("prediction", "\(record.prediction)", "send a finite number")
    }
    guard record.latencyMs.isFinite, record.latencyMs >= 0 else {
      throw invalid("latency_ms", "\(record.latencyMs)", "send a finite duration of 0 or more")
    }
    if case .confidence(let confidence)? = record.confidenceValue {
      guard confidence.isFinite, confidence >= 0, confidence <= 1 else {
        throw invalid("confidence", "\(confidence)", "send a number from 0 to 1, or leave it unset")
      }
    }
    if case .label(let label)? = record.labelValue, !label.isFinite {
      throw invalid("label", "\(label)", "send a finite number, or leave it unset")
    }
    guard isHex(record.inputHash) else {
      throw invalid(
        "input_hash", "'\(record.inputHash)'",
        "send the hex SHA-256 of the input, or leave it empty")
    }
    if let previous, previous.raw == record.modelFullName { return previous.folded }
    return try modelName(record.modelFullName, at: index)
  }

  /// Checks the label update at `index` of its batch or request.
  static func check(
    _ update: Edgecat_Telemetry_V1_LabelUpdate, at index: Int
  ) throws(ServiceError) {
    func invalid(_ field: String, _ value: String, _ fix: String) -> ServiceError {
      .invalidArgument("label update \(index): \(field) \(value) is invalid; \(fix)")
    }
    guard !update.deviceID.isEmpty else {
      throw invalid("device_id", "''", "name the device of the labelled record")
    }
    guard !update.epoch.isEmpty else {
      throw invalid("epoch", "''", "name the epoch of the labelled record")
    }
    guard update.seq <= UInt64(Int64.max) else {
      throw invalid("seq", "\(update.seq)", "name a seq up to \(Int64.max)")
    }
    guard update.label.isFinite else {
      throw invalid("label", "\(update.label)", "send a finite number")
    }
  }

  private static func modelName(_ text: String, at index: Int) throws(ServiceError) -> String {
    let name: SecurableName
    do {
      name = try SecurableName(text)
    } catch {
      throw .invalidArgument("record \(index): model_full_name is invalid: \(error.message)")
    }
    guard name.parts.count == 3 else {
      throw .invalidArgument(
        "record \(index): model_full_name '\(text)' is invalid; send the registered model's"
          + " name as catalog.schema.model")
    }
    return name.fullName
  }

  private static func isHex(_ text: String) -> Bool {
    let table = isHexDigit
    let fast = text.utf8.withContiguousStorageIfAvailable { bytes in
      bytes.allSatisfy { table[Int($0)] }
    }
    return fast ?? text.utf8.allSatisfy { table[Int($0)] }
  }

  private static let isHexDigit: [Bool] = (0..<256).map { byte in
    (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
  }
}
