import EdgecatProto

extension AlertRuleCommands {
  /// Builds the rule the flags describe. Fields without a flag keep their zero value.
  static func rule(_ arguments: ParsedArguments) throws -> Edgecat_Telemetry_V1_AlertRule {
    var rule = Edgecat_Telemetry_V1_AlertRule()
    rule.name = arguments.positionals[0]
    if let value = try enumValue(arguments, "metric", Edgecat_Telemetry_V1_AlertMetric.self) {
      rule.metric = value
    }
    if let value = try enumValue(arguments, "scope", Edgecat_Telemetry_V1_AlertScope.self) {
      rule.scope = value
    }
    if let value = try enumValue(arguments, "condition", Edgecat_Telemetry_V1_AlertCondition.self) {
      rule.condition = value
    }
    if let value = try enumValue(arguments, "severity", Edgecat_Telemetry_V1_AlertSeverity.self) {
      rule.severity = value
    }
    if let value = try enumValue(arguments, "action", Edgecat_Telemetry_V1_AlertAction.self) {
      rule.action = value
    }
    if let text = arguments["threshold"] {
      guard let threshold = Double(text), threshold.isFinite else {
        throw CLIError.usage("--threshold \"\(text)\" is invalid; use a number such as 0.9")
      }
      rule.threshold = threshold
    }
    rule.windowSeconds = Int64(try arguments.integer("window-seconds", in: 1...31_622_400) ?? 0)
    rule.minSamples = Int64(try arguments.integer("min-samples", in: 0...1_000_000_000) ?? 0)
    rule.forSeconds = Int64(try arguments.integer("for-seconds", in: 0...31_622_400) ?? 0)
    rule.description = arguments["description"] ?? ""
    if let text = arguments["enabled"] {
      guard let enabled = Bool(text.lowercased()) else {
        throw CLIError.usage("--enabled \"\(text)\" is invalid; use true or false")
      }
      rule.enabled = enabled
    }
    return rule
  }

  static func enumFlag<Value: ProtoEnum>(
    _ name: String, _ type: Value.Type, help: String
  ) -> FlagSpec {
    FlagSpec(
      name, value: name.uppercased(),
      help: help + ": " + protoEnumNames(type).joined(separator: ", "))
  }

  private static func enumValue<Value: ProtoEnum>(
    _ arguments: ParsedArguments, _ flag: String, _ type: Value.Type
  ) throws -> Value? {
    guard let text = arguments[flag] else { return nil }
    guard let value = protoEnumValue(text, as: type) else {
      throw CLIError.usage(
        "--\(flag) \"\(text)\" is invalid; use one of \(protoEnumNames(type).joined(separator: ", "))"
      )
    }
    return value
  }
}
