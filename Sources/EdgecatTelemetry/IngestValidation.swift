import EdgecatCore
import EdgecatProto

/// Checks every record and label update of a batch before anything is stored. Each failure
/// is INVALID_ARGUMENT naming the entry's index and seq, the field, the value and the fix.
enum IngestValidation {
  typealias Record = Edgecat_Telemetry_V1_InferenceLogRecord

  /// The maximum epoch length in bytes. The edge agent's epochs have 32.
  static let maxEpochBytes = 255

  /// Checks `record` at `index` of its batch and returns its model name in lower case.
  /// `previous` is the last raw name and its folded form, to skip re-checking a repeated name.
  static func check(
    _ record: Record, at index: Int, previous: (raw: String, folded: String)?
  ) throws(ServiceError) -> String {
    // Built only for an error: the record's position in its batch and the seq its agent gave it.
    let entry = { "record \(index) (seq \(record.seq))" }
    func invalid(_ field: String, _ value: String, _ fix: String) -> ServiceError {
      .invalidArgument("\(entry()): \(field) \(value) is invalid; \(fix)")
    }
    guard !record.deviceID.isEmpty else {
      throw invalid("device_id", "''", "set it to the sending device's id")
    }
    guard !record.epoch.isEmpty else {
      throw invalid("epoch", "''", "set it to the id of the agent's spool")
    }
    guard record.epoch.utf8.count <= maxEpochBytes else {
      throw invalid(
        "epoch", "of \(record.epoch.utf8.count) bytes",
        "use the id of the agent's spool, at most \(maxEpochBytes) bytes")
    }
    guard record.seq <= UInt64(Int64.max) else {
      throw invalid("seq", "\(record.seq)", "number records from 0 up to \(Int64.max)")
    }
    // The field rules are shared with the edge agent, which applies them at LogInference.
    var confidence: Double?
    if case .confidence(let value)? = record.confidenceValue { confidence = value }
    var label: Double?
    if case .label(let value)? = record.labelValue { label = value }
    let violation =
      InferenceRecordRules.modelVersion(record.modelVersion)
      ?? InferenceRecordRules.check(
        timestampMs: record.timestampMs, prediction: record.prediction,
        latencyMs: record.latencyMs, inputHash: record.inputHash, confidence: confidence,
        label: label)
    if let violation {
      throw .invalidArgument(violation.message(prefix: "\(entry()): "))
    }
    if let previous, previous.raw == record.modelFullName { return previous.folded }
    return try modelName(record.modelFullName, entry: entry)
  }

  /// Checks the label update at `index` of its batch or request.
  static func check(
    _ update: Edgecat_Telemetry_V1_LabelUpdate, at index: Int
  ) throws(ServiceError) {
    let entry = { "label update \(index) (seq \(update.seq))" }
    func invalid(_ field: String, _ value: String, _ fix: String) -> ServiceError {
      .invalidArgument("\(entry()): \(field) \(value) is invalid; \(fix)")
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
    if let violation = InferenceRecordRules.label(update.label) {
      throw .invalidArgument(violation.message(prefix: "\(entry()): "))
    }
  }

  private static func modelName(_ text: String, entry: () -> String) throws(ServiceError)
    -> String
  {
    if let violation = InferenceRecordRules.modelFullName(text) {
      throw .invalidArgument(violation.message(prefix: "\(entry()): "))
    }
    do {
      return try SecurableName(text).fullName
    } catch {
      throw .invalidArgument("\(entry()): model_full_name is invalid: \(error.message)")
    }
  }
}
