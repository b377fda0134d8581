import EdgecatProto

/// `edgecat deployment`: roll-outs of a model version or alias to the devices of a selector.
enum DeploymentCommands {
  static let listColumns = [
    TableColumn("deployment_id", header: "DEPLOYMENT"),
    TableColumn("model_full_name", header: "MODEL"),
    TableColumn("version"), TableColumn("alias"), TableColumn("state"),
    TableColumn("stage"), TableColumn("created_at", header: "CREATED_AT"),
  ]
  static let idArgument = ArgumentSpec("DEPLOYMENT_ID", help: "deployment id, such as dep-1a2b")
  static let selectorFlags = [
    FlagSpec("group", value: "NAME", help: "only devices of this group"),
    FlagSpec(
      "label", value: "KEY=VALUE", repeatable: true, help: "only devices with this label"),
    FlagSpec("device", value: "DEVICE_ID", repeatable: true, help: "only this device"),
  ]

  static let noun = Noun(
    "deployment", "roll-outs of model versions to devices",
    verbs: [
      Verb(
        "create",
        "roll a version, or an alias as it stands at each stage, out to the selected devices;"
          + " needs DEPLOY on the model",
        arguments: [ModelCommands.nameArgument], flags: DeploymentCreate.flags,
        details: DeploymentCreate.details, run: DeploymentCreate.run),
      Verb("get", "show a deployment with the state of each device", arguments: [idArgument]) {
        invocation in
        var request = Edgecat_Registry_V1_GetDeploymentRequest()
        request.deploymentID = invocation.arguments.positionals[0]
        let deployment: Edgecat_Registry_V1_Deployment = try await invocation.clients.call(
          .registry, "GetDeployment", request)
        return .record(RegistryJSON.deployment(deployment))
      },
      Verb(
        "list", "list deployments, oldest first",
        flags: [
          FlagSpec("model", value: "CATALOG.SCHEMA.MODEL", help: "only deployments of this model")
        ] + Paging.flags
      ) { invocation in
        let model = try invocation.arguments["model"].map(ModelCommands.modelName)
        let deployments = try await Paging.collect(invocation.arguments) { size, token in
          var request = Edgecat_Registry_V1_ListDeploymentsRequest()
          request.modelFullName = model ?? ""
          request.pageSize = size
          request.pageToken = token
          let response: Edgecat_Registry_V1_ListDeploymentsResponse =
            try await invocation
            .clients.call(.registry, "ListDeployments", request)
          return (response.deployments, response.nextPageToken)
        }
        return .list(deployments.map(RegistryJSON.deployment), columns: listColumns)
      },
      Verb("pause", "stop a roll-out from starting further stages", arguments: [idArgument]) {
        invocation in
        var request = Edgecat_Registry_V1_PauseDeploymentRequest()
        request.deploymentID = invocation.arguments.positionals[0]
        let deployment: Edgecat_Registry_V1_Deployment = try await invocation.clients.call(
          .registry, "PauseDeployment", request)
        return .record(RegistryJSON.deployment(deployment))
      },
      Verb(
        "resume", "continue a paused roll-out; the current stage's timeout starts again",
        arguments: [idArgument]
      ) { invocation in
        var request = Edgecat_Registry_V1_ResumeDeploymentRequest()
        request.deploymentID = invocation.arguments.positionals[0]
        let deployment: Edgecat_Registry_V1_Deployment = try await invocation.clients.call(
          .registry, "ResumeDeployment", request)
        return .record(RegistryJSON.deployment(deployment))
      },
      Verb(
        "rollback",
        "return every device the deployment reached to its previous version, and a deployed"
          + " alias to the version it named before",
        arguments: [idArgument],
        flags: [FlagSpec("cause", value: "TEXT", help: "why, stored on the deployment")]
      ) { invocation in
        var request = Edgecat_Registry_V1_RollbackDeploymentRequest()
        request.deploymentID = invocation.arguments.positionals[0]
        request.cause = invocation.arguments["cause"] ?? ""
        let deployment: Edgecat_Registry_V1_Deployment = try await invocation.clients.call(
          .registry, "RollbackDeployment", request)
        return .record(RegistryJSON.deployment(deployment))
      },
    ])

  /// Builds the selector of `--group`, `--label` and `--device`. None of them selects every
  /// device.
  static func selector(_ arguments: ParsedArguments) throws -> Edgecat_Registry_V1_DeviceSelector {
    var selector = Edgecat_Registry_V1_DeviceSelector()
    selector.group = arguments["group"] ?? ""
    selector.labels = try arguments.pairs("label")
    selector.deviceIds = arguments.all("device")
    return selector
  }
}
