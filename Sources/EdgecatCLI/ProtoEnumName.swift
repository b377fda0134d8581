import EdgecatProto

/// The proto name of an enum value without its type prefix, such as `REGISTERED_MODEL` for
/// `SecurableType.registeredModel`, or the number for a value this build does not know.
func protoEnumName(_ value: some ProtoEnum) -> String {
  let caseName = String(describing: value)
  guard !caseName.hasPrefix("unrecognized") else { return "\(value.rawValue)" }
  var name = ""
  for character in caseName {
    if character.isUppercase { name += "_" }
    name += character.uppercased()
  }
  return name
}

/// Parses the name of an enum value, such as `user` or `SERVICE_PRINCIPAL`; dashes count as
/// underscores and case does not matter. Returns nil for `unspecified` and unknown names.
func protoEnumValue<Value: ProtoEnum>(_ text: String, as type: Value.Type) -> Value? {
  let wanted = text.uppercased().replacing("-", with: "_")
  return Value.allCases.first { value in
    value.rawValue != 0 && protoEnumName(value) == wanted
  }
}

/// The names of every value but the unspecified one, lower case, for help and errors.
func protoEnumNames<Value: ProtoEnum>(_ type: Value.Type) -> [String] {
  Value.allCases.filter { $0.rawValue != 0 }.map { protoEnumName($0).lowercased() }
}
