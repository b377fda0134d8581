import EdgecatProto
import EdgecatRPC

/// The JSON of the agent's quarantined records and labels, and the columns of their table.
/// Each entry carries the `id` that resend and discard take.
enum QuarantineJSON {
  static let columns = [
    TableColumn("id", header: "ID"),
    TableColumn("quarantined_ms", header: "QUARANTINED_AT", format: time),
    TableColumn(
      header: "ENTRY",
      item: { value in
        guard let label = value["label"] else {
          let name = value["model_full_name"]?.cellText ?? ""
          let version = value["model_version"]?.cellText ?? ""
          return "\(name)/\(version) at \(time(value["timestamp_ms"] ?? .null))"
        }
        return "label \(label.cellText) of seq \(value["seq"]?.cellText ?? "")"
      }),
    TableColumn("status", header: "STATUS"),
    TableColumn("status_message", header: "MESSAGE"),
  ]

  static func record(_ record: Edgecat_Agent_V1_QuarantinedRecord) -> JSONValue {
    .object([
      ("id", .string(QuarantineEntries.id(seq: record.seq))),
      ("kind", .string("record")),
      ("epoch", .string(record.epoch)),
      ("seq", .integer(record.seq)),
      ("model_full_name", .string(record.modelFullName)),
      ("model_version", .integer(record.modelVersion)),
      ("timestamp_ms", .integer(record.timestampMs)),
      ("status", .string(statusName(record.statusCode))),
      ("status_code", .integer(record.statusCode)),
      ("status_message", .string(record.statusMessage)),
      ("quarantined_ms", .integer(record.quarantinedMs)),
    ])
  }

  static func label(_ label: Edgecat_Agent_V1_QuarantinedLabel) -> JSONValue {
    .object([
      ("id", .string(QuarantineEntries.id(labelID: label.id))),
      ("kind", .string("label")),
      ("label_id", .integer(label.id)),
      ("epoch", .string(label.epoch)),
      ("seq", .integer(label.seq)),
      ("label", number(label.label)),
      ("status", .string(statusName(label.statusCode))),
      ("status_code", .integer(label.statusCode)),
      ("status_message", .string(label.statusMessage)),
      ("quarantined_ms", .integer(label.quarantinedMs)),
    ])
  }

  /// Returns a double as a JSON number, or as the string that the protobuf JSON mapping uses
  /// for NaN and the infinities, which JSON numbers cannot express. A label telemetry rejected
  /// for not being finite is such a value.
  static func number(_ value: Double) -> JSONValue {
    if value.isFinite { return .real(value) }
    if value.isNaN { return .string("NaN") }
    return .string(value > 0 ? "Infinity" : "-Infinity")
  }

  /// Returns the gRPC name of a status code, such as `INVALID_ARGUMENT` for 3, or the number
  /// for codes that gRPC does not define.
  static func statusName(_ code: Int32) -> String {
    StatusCode(rawValue: Int(code)).map(\.description) ?? "\(code)"
  }

  /// Formats milliseconds since the Unix epoch as "YYYY-MM-DD HH:MM:SS" in UTC.
  private static func time(_ value: JSONValue) -> String {
    guard case .number(let text) = value, let milliseconds = Int64(text) else {
      return value.cellText
    }
    return TimeText.format(Double(milliseconds) / 1000)
  }
}
