import EdgecatProto

/// JSON of the telemetry service's messages, with the proto field names as keys.
enum TelemetryJSON {
  static func fleetDevice(_ device: Edgecat_Telemetry_V1_FleetDevice) -> JSONValue {
    .object([
      ("device_id", .string(device.deviceID)),
      ("status", .string(protoEnumName(device.status))),
      ("location", .string(device.location)),
      ("region", .string(device.region)),
      ("group", .string(device.group)),
      ("model_full_name", .string(device.modelFullName)),
      ("model_version", .integer(device.modelVersion)),
      ("p99_latency_ms", .real(device.p99LatencyMs)),
      // No labelled record means no accuracy, which is null rather than 0.
      ("accuracy", device.labelledCount > 0 ? .real(device.accuracy) : .null),
      ("labelled_count", .integer(device.labelledCount)),
      ("record_count", .integer(device.recordCount)),
      ("last_heartbeat_at", .string(device.lastHeartbeatAt)),
      ("last_record_at", .string(device.lastRecordAt)),
      ("agent_version", .string(device.agentVersion)),
      ("spool_bytes", .integer(device.spoolBytes)),
      ("spool_records", .integer(device.spoolRecords)),
      ("spool_full", .bool(device.spoolFull)),
    ])
  }

  static func metrics(_ metrics: Edgecat_Telemetry_V1_DeviceMetrics) -> JSONValue {
    .object([
      ("device_id", .string(metrics.deviceID)),
      ("model_full_name", .string(metrics.modelFullName)),
      ("model_version", .integer(metrics.modelVersion)),
      ("count", .integer(metrics.count)),
      ("mean_confidence", .real(metrics.meanConfidence)),
      ("mean_latency_ms", .real(metrics.meanLatencyMs)),
      ("p99_latency_ms", .real(metrics.p99LatencyMs)),
      ("accuracy", metrics.labelledCount > 0 ? .real(metrics.accuracy) : .null),
      ("labelled_count", .integer(metrics.labelledCount)),
    ])
  }

  static func daily(_ day: Edgecat_Telemetry_V1_DailyMetrics) -> JSONValue {
    .object([
      ("day", .string(day.day)),
      ("model_full_name", .string(day.modelFullName)),
      ("model_version", .integer(day.modelVersion)),
      ("count", .integer(day.count)),
      ("mean_confidence", .real(day.meanConfidence)),
      ("stddev_confidence", .real(day.stddevConfidence)),
      ("drift", .real(day.drift)),
    ])
  }

  static func rule(_ rule: Edgecat_Telemetry_V1_AlertRule) -> JSONValue {
    .object([
      ("name", .string(rule.name)),
      ("metric", .string(protoEnumName(rule.metric))),
      ("scope", .string(protoEnumName(rule.scope))),
      ("condition", .string(protoEnumName(rule.condition))),
      ("threshold", .real(rule.threshold)),
      ("window_seconds", .integer(rule.windowSeconds)),
      ("min_samples", .integer(rule.minSamples)),
      ("for_seconds", .integer(rule.forSeconds)),
      ("severity", .string(protoEnumName(rule.severity))),
      ("action", .string(protoEnumName(rule.action))),
      ("description", .string(rule.description)),
      ("enabled", .bool(rule.enabled)),
      ("created_at", .string(rule.createdAt)),
      ("updated_at", .string(rule.updatedAt)),
    ])
  }

  static func alert(_ alert: Edgecat_Telemetry_V1_Alert) -> JSONValue {
    .object([
      ("rule_name", .string(alert.ruleName)),
      ("subject", .string(alert.subject)),
      ("state", .string(protoEnumName(alert.state))),
      ("severity", .string(protoEnumName(alert.severity))),
      ("condition", .string(alert.condition)),
      ("value", .real(alert.value)),
      ("samples", .integer(alert.samples)),
      ("action", .string(protoEnumName(alert.action))),
      ("action_result", .string(alert.actionResult)),
      ("since", .string(alert.since)),
      ("fired_at", .string(alert.firedAt)),
      ("firing_id", .string(alert.firingID)),
      ("updated_at", .string(alert.updatedAt)),
    ])
  }

  static func transition(_ transition: Edgecat_Telemetry_V1_AlertTransition) -> JSONValue {
    .object([
      ("transition_id", .integer(transition.transitionID)),
      ("at", .string(transition.at)),
      ("rule_name", .string(transition.ruleName)),
      ("subject", .string(transition.subject)),
      ("from_state", .string(protoEnumName(transition.fromState))),
      ("to_state", .string(protoEnumName(transition.toState))),
      ("value", .real(transition.value)),
      ("samples", .integer(transition.samples)),
      ("severity", .string(protoEnumName(transition.severity))),
      ("firing_id", .string(transition.firingID)),
      ("action_result", .string(transition.actionResult)),
    ])
  }

  /// Converts one SQL value: integers and reals as numbers, text as a string, a blob as hex text and
  /// NULL as null.
  static func value(_ value: Edgecat_Telemetry_V1_Value) -> JSONValue {
    switch value.kind {
    case .integerValue(let number)?: .integer(number)
    case .realValue(let number)?: .real(number)
    case .textValue(let text)?: .string(text)
    case .blobValue(let bytes)?:
      .string(
        bytes.map { byte in
          let digits = String(byte, radix: 16)
          return byte < 16 ? "0" + digits : digits
        }.joined())
    case nil: .null
    }
  }
}
