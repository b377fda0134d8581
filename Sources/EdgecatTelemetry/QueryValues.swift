import EdgecatProto
import EdgecatStore

/// Conversion of result values to the protobuf `Value` and `Row`.
enum QueryValues {
  /// Returns `value` as a protobuf `Value`: NULL leaves the oneof unset. Text that contains a
  /// NUL character goes out as `blob_value` with its UTF-8 bytes, because protobuf strings
  /// sent by this service may not contain NUL.
  static func value(_ value: SQLValue) -> Edgecat_Telemetry_V1_Value {
    var message = Edgecat_Telemetry_V1_Value()
    switch value {
    case .null: break
    case .integer(let number): message.integerValue = number
    case .real(let number): message.realValue = number
    case .text(let text):
      if text.utf8.contains(0) {
        message.blobValue = Array(text.utf8)
      } else {
        message.textValue = text
      }
    case .blob(let bytes): message.blobValue = bytes
    }
    return message
  }

  static func row(_ values: [SQLValue]) -> Edgecat_Telemetry_V1_Row {
    var row = Edgecat_Telemetry_V1_Row()
    row.values = values.map(value)
    return row
  }

  /// Estimates the encoded size of a row in bytes: its texts and blobs plus 11 bytes of tag,
  /// length and number per value.
  static func estimatedBytes(_ values: [SQLValue]) -> Int {
    values.reduce(0) { total, value in
      switch value {
      case .text(let text): total + text.utf8.count + 11
      case .blob(let bytes): total + bytes.count + 11
      default: total + 11
      }
    }
  }
}
