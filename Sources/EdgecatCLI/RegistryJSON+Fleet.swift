import EdgecatProto

extension RegistryJSON {
  static func selector(_ selector: Edgecat_Registry_V1_DeviceSelector?) -> JSONValue {
    guard let selector else { return .null }
    return .object([
      ("group", .string(selector.group)),
      ("labels", .stringMap(selector.labels)),
      ("device_ids", .strings(selector.deviceIds)),
    ])
  }

  static func device(_ device: Edgecat_Registry_V1_Device) -> JSONValue {
    let reported = device.reportedModels.map { model in
      JSONValue.object([
        ("model_full_name", .string(model.modelFullName)),
        ("version", .integer(model.version)),
        ("state", .string(protoEnumName(model.state))),
        ("message", .string(model.message)),
      ])
    }
    return .object([
      ("device_id", .string(device.deviceID)),
      ("location", .string(device.location)),
      ("region", .string(device.region)),
      ("group", .string(device.group)),
      ("labels", .stringMap(device.labels)),
      ("reported_models", .array(reported)),
      ("reported_at", .string(device.reportedAt)),
      ("agent_version", .string(device.agentVersion)),
      ("created_at", .string(device.createdAt)),
      ("updated_at", .string(device.updatedAt)),
    ])
  }

  static func strategy(_ strategy: Edgecat_Registry_V1_RolloutStrategy?) -> JSONValue {
    guard let strategy else { return .null }
    var threshold = JSONValue.null
    if case .errorThresholdPercent(let value)? = strategy.threshold { threshold = .real(value) }
    return .object([
      ("stage_percents", .array(strategy.stagePercents.map(JSONValue.integer))),
      ("soak_ms", .integer(strategy.soakMs)),
      ("stage_timeout_ms", .integer(strategy.stageTimeoutMs)),
      ("error_threshold_percent", threshold),
    ])
  }

  static func deployment(_ deployment: Edgecat_Registry_V1_Deployment) -> JSONValue {
    let devices = deployment.devices.map { device in
      JSONValue.object([
        ("device_id", .string(device.deviceID)),
        ("stage", .integer(device.stage)),
        ("state", .string(protoEnumName(device.state))),
        ("previous_version", .integer(device.previousVersion)),
        ("target_version", .integer(device.targetVersion)),
        ("message", .string(device.message)),
        ("updated_at", .string(device.updatedAt)),
      ])
    }
    return .object([
      ("deployment_id", .string(deployment.deploymentID)),
      ("model_full_name", .string(deployment.modelFullName)),
      ("version", .integer(deployment.version)),
      ("alias", .string(deployment.alias)),
      ("alias_previous_version", .integer(deployment.aliasPreviousVersion)),
      ("selector", selector(deployment.selector)),
      ("strategy", strategy(deployment.strategy)),
      ("state", .string(protoEnumName(deployment.state))),
      ("current_stage", .integer(deployment.currentStage)),
      ("stage", .string(stage(of: deployment))),
      ("state_message", .string(deployment.stateMessage)),
      ("devices", .array(devices)),
      ("created_by", .string(deployment.createdBy)),
      ("created_at", .string(deployment.createdAt)),
      ("updated_at", .string(deployment.updatedAt)),
    ])
  }

  /// Returns the latest started stage as the registry's messages count it, from 1, such as
  /// "2 of 3".
  static func stage(of deployment: Edgecat_Registry_V1_Deployment) -> String {
    let count = deployment.strategy?.stagePercents.count ?? 0
    return "\(deployment.currentStage + 1)" + (count > 0 ? " of \(count)" : "")
  }

  static func desiredState(_ state: Edgecat_Registry_V1_DesiredState) -> JSONValue {
    let models = state.models.map { model in
      JSONValue.object([
        ("model_full_name", .string(model.modelFullName)),
        ("version", .integer(model.version)),
        ("artifact_sha256", .string(model.artifactSha256)),
        ("artifact_size", .integer(model.artifactSize)),
        ("format", .string(model.format)),
        ("deployment_id", .string(model.deploymentID)),
      ])
    }
    return .object([
      ("device_id", .string(state.deviceID)),
      ("generation", .integer(state.generation)),
      ("updated_at", .string(state.updatedAt)),
      ("models", .array(models)),
    ])
  }
}
