/// A JSON document that `edgecat --output json` prints. Objects keep their keys in the order
/// they were built, so output is stable and reads like the proto messages it comes from.
public enum JSONValue: Sendable {
  case null
  case bool(Bool)
  /// A number, as its JSON text.
  case number(String)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])

  public static func integer(_ value: some BinaryInteger) -> JSONValue { .number("\(value)") }

  /// A floating-point number; NaN and the infinities, which JSON cannot write, are null.
  public static func real(_ value: Double) -> JSONValue {
    value.isFinite ? .number("\(value)") : .null
  }

  /// Returns an object of strings, keys sorted, as protobuf maps are printed.
  public static func stringMap(_ map: [String: String]) -> JSONValue {
    .object(map.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
  }

  public static func strings(_ values: [String]) -> JSONValue {
    .array(values.map(JSONValue.string))
  }

  /// Returns the object with `pairs` before its own keys; other values are returned unchanged.
  public func prepending(_ pairs: [(String, JSONValue)]) -> JSONValue {
    guard case .object(let own) = self else { return self }
    return .object(pairs + own)
  }

  /// The value at `key` of an object; nil for other values and missing keys.
  public subscript(key: String) -> JSONValue? {
    guard case .object(let pairs) = self else { return nil }
    return pairs.first { $0.0 == key }?.1
  }

  /// Returns the value at a dotted path such as `audit.created_at`.
  public func value(atPath path: String) -> JSONValue? {
    var current: JSONValue? = self
    for key in path.split(separator: ".") { current = current?[String(key)] }
    return current
  }

  /// Returns the document as JSON text, indented by two spaces, ending without a newline.
  public func serialized() -> String {
    var text = ""
    write(to: &text, indent: 0)
    return text
  }

  private func write(to text: inout String, indent: Int) {
    switch self {
    case .null: text += "null"
    case .bool(let value): text += value ? "true" : "false"
    case .number(let digits): text += digits
    case .string(let value): JSONValue.writeString(value, to: &text)
    case .array(let elements):
      guard !elements.isEmpty else {
        text += "[]"
        return
      }
      text += "[\n"
      for (index, element) in elements.enumerated() {
        text += String(repeating: " ", count: indent + 2)
        element.write(to: &text, indent: indent + 2)
        text += index == elements.count - 1 ? "\n" : ",\n"
      }
      text += String(repeating: " ", count: indent) + "]"
    case .object(let pairs):
      guard !pairs.isEmpty else {
        text += "{}"
        return
      }
      text += "{\n"
      for (index, (key, value)) in pairs.enumerated() {
        text += String(repeating: " ", count: indent + 2)
        JSONValue.writeString(key, to: &text)
        text += ": "
        value.write(to: &text, indent: indent + 2)
        text += index == pairs.count - 1 ? "\n" : ",\n"
      }
      text += String(repeating: " ", count: indent) + "}"
    }
  }

  /// Writes a JSON string literal, escaping quotes, backslashes and control characters as
  /// RFC 8259 requires.
  private static func writeString(_ value: String, to text: inout String) {
    text += "\""
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\"": text += "\\\""
      case "\\": text += "\\\\"
      case "\n": text += "\\n"
      case "\r": text += "\\r"
      case "\t": text += "\\t"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: text.unicodeScalars.append(scalar)
      }
    }
    text += "\""
  }
}
