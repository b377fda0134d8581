/// The field rules telemetry applies to inference records and label updates at ingest. The edge
/// agent applies the same rules when the local application logs a record, so that it never
/// stores a record telemetry would reject. Each check returns nil for a valid value.
public enum InferenceRecordRules {
  /// An invalid field value, with what is wrong and how to fix it.
  public struct Violation: Sendable, Hashable {
    public var field: String
    /// The value as a message shows it: numbers as Swift prints them, text in quotes.
    public var value: String
    /// The problem with the value, such as "is out of range".
    public var problem: String
    public var fix: String

    /// Returns "<prefix><field> <value> <problem>; <fix>".
    public func message(prefix: String) -> String {
      "\(prefix)\(field) \(value) \(problem); \(fix)"
    }
  }

  /// The first millisecond after 9999-12-31 23:59:59.999, the last time that four-digit
  /// datetime text can write.
  public static let endTimestampMilliseconds: Int64 = 253_402_300_800_000

  /// Checks the fields a device measures for one record, in the order telemetry reports them,
  /// and returns the first violation. A nil confidence or label is absent, which is valid.
  public static func check(
    timestampMs: Int64, prediction: Double, latencyMs: Double, inputHash: String,
    confidence: Double?, label: Double?
  ) -> Violation? {
    if let violation = timestamp(timestampMs) { return violation }
    if let violation = self.prediction(prediction) { return violation }
    if let violation = latency(latencyMs) { return violation }
    if let confidence, let violation = self.confidence(confidence) { return violation }
    if let label, let violation = self.label(label) { return violation }
    return self.inputHash(inputHash)
  }

  public static func timestamp(_ milliseconds: Int64) -> Violation? {
    guard milliseconds <= 0 || milliseconds >= endTimestampMilliseconds else { return nil }
    return Violation(
      field: "timestamp_ms", value: "\(milliseconds)", problem: "is out of range",
      fix: "send milliseconds since the Unix epoch, after 1970 and before year 10000")
  }

  public static func modelVersion(_ version: Int64) -> Violation? {
    guard version < 1 else { return nil }
    return Violation(
      field: "model_version", value: "\(version)", problem: "is out of range",
      fix: "send a version number of 1 or more")
  }

  /// Checks that `text` is a full model name of three parts, catalog.schema.model.
  public static func modelFullName(_ text: String) -> Violation? {
    let value = "'\(text.prefix(300))'"
    let fix = "send the registered model's name as catalog.schema.model"
    do {
      guard try SecurableName(text).parts.count == 3 else {
        return Violation(
          field: "model_full_name", value: value, problem: "is invalid", fix: fix)
      }
      return nil
    } catch {
      return Violation(
        field: "model_full_name", value: value, problem: "is invalid",
        fix: "\(fix) (\(error.message))")
    }
  }

  public static func prediction(_ prediction: Double) -> Violation? {
    guard !prediction.isFinite else { return nil }
    return Violation(
      field: "prediction", value: "\(prediction)", problem: "is not a finite number",
      fix: "send a finite number")
  }

  public static func latency(_ milliseconds: Double) -> Violation? {
    guard !milliseconds.isFinite || milliseconds < 0 else { return nil }
    return Violation(
      field: "latency_ms", value: "\(milliseconds)", problem: "is out of range",
      fix: "send a finite duration of 0 or more")
  }

  /// Checks a confidence that is present. An absent confidence is always valid.
  public static func confidence(_ confidence: Double) -> Violation? {
    guard !confidence.isFinite || confidence < 0 || confidence > 1 else { return nil }
    return Violation(
      field: "confidence", value: "\(confidence)", problem: "is out of range",
      fix: "send a value from 0 to 1 or leave it unset")
  }

  /// Checks a label that is present, on a record or in a label update.
  public static func label(_ label: Double) -> Violation? {
    guard !label.isFinite else { return nil }
    return Violation(
      field: "label", value: "\(label)", problem: "is not a finite number",
      fix: "send a finite number")
  }

  /// The maximum input hash length in bytes, which fits a SHA-512 in hex. A value past the
  /// query engine's 1 MiB limit on one value would make every read of its row fail.
  public static let maxInputHashBytes = 128

  /// Checks that an input hash is at most `maxInputHashBytes` hex digits in either case, or
  /// empty.
  public static func inputHash(_ text: String) -> Violation? {
    guard text.utf8.count <= maxInputHashBytes else {
      return Violation(
        field: "input_hash", value: "'\(text.prefix(20))…'",
        problem: "has \(text.utf8.count) characters, over the limit of \(maxInputHashBytes)",
        fix: "send the hex SHA-256 of the input, or leave it empty")
    }
    guard !isHex(text) else { return nil }
    return Violation(
      field: "input_hash", value: "'\(text.prefix(130))'", problem: "is not hex",
      fix: "send the hex SHA-256 of the input, or leave it empty")
  }

  /// True when every byte of `text` is a hex digit in either case, and true for "".
  public static func isHex(_ text: String) -> Bool {
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
