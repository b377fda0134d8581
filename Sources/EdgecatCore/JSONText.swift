/// Encodes `pairs` as a JSON object of strings, keys in the given order.
public func encodeJSONObject(_ pairs: [(String, String)]) -> String {
  var text = "{"
  for (index, (key, value)) in pairs.enumerated() {
    if index > 0 { text += "," }
    text += jsonString(key) + ":" + jsonString(value)
  }
  return text + "}"
}

private func jsonString(_ value: String) -> String {
  var text = "\""
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
  return text + "\""
}
