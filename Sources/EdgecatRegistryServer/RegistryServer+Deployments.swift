import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatRegistry
import EdgecatServiceKit

extension RegistryServer {
  var deploymentMethods: [RPCMethod] {
    [
      .unary(Self.path("CreateDeployment")) {
        (request: Edgecat_Registry_V1_CreateDeploymentRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(caller, "CreateDeployment", request.modelFullName) {
          audit throws(RPCError) in
          try await createDeployment(request, caller, audit)
        }
      },
      .unary(Self.path("GetDeployment")) {
        (request: Edgecat_Registry_V1_GetDeploymentRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(
          caller, "GetDeployment", nil, [("deployment", request.deploymentID)]
        ) { () throws(RPCError) in
          let deployment = try await existingDeployment(request.deploymentID)
          try await requireDeploymentReader(caller, deployment.model)
          return deploymentMessage(deployment)
        }
      },
      .unary(Self.path("ListDeployments")) {
        (request: Edgecat_Registry_V1_ListDeploymentsRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(caller, "ListDeployments", request.modelFullName) {
          () throws(RPCError) in
          try await listDeployments(request, caller)
        }
      },
      .unary(Self.path("PauseDeployment")) {
        (request: Edgecat_Registry_V1_PauseDeploymentRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(
          caller, "PauseDeployment", nil, [("deployment", request.deploymentID)]
        ) { audit throws(RPCError) in
          let deployment = try await existingDeployment(request.deploymentID)
          try await authorize(caller, "DEPLOY", model: deployment.model)
          return deploymentMessage(
            try await mappedAsync { () async throws(ServiceError) in
              try await engine.pauseDeployment(deployment.id, audit: withModel(audit, deployment))
            })
        }
      },
      .unary(Self.path("ResumeDeployment")) {
        (request: Edgecat_Registry_V1_ResumeDeploymentRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(
          caller, "ResumeDeployment", nil, [("deployment", request.deploymentID)]
        ) { audit throws(RPCError) in
          let deployment = try await existingDeployment(request.deploymentID)
          try await authorize(caller, "DEPLOY", model: deployment.model)
          return deploymentMessage(
            try await mappedAsync { () async throws(ServiceError) in
              try await engine.resumeDeployment(deployment.id, audit: withModel(audit, deployment))
            })
        }
      },
      .unary(Self.path("RollbackDeployment")) {
        (request: Edgecat_Registry_V1_RollbackDeploymentRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(
          caller, "RollbackDeployment", request.modelFullName.isEmpty ? nil : request.modelFullName,
          [
            ("deployment", request.deploymentID), ("version", "\(request.breachingVersion)"),
            ("firing_id", request.firingID), ("cause", request.cause),
          ]
        ) { audit throws(RPCError) in
          try await rollback(request, caller, audit)
        }
      },
    ]
  }

  private func createDeployment(
    _ request: Edgecat_Registry_V1_CreateDeploymentRequest, _ caller: Caller,
    _ audit: AuditRecord
  ) async throws(RPCError) -> Edgecat_Registry_V1_Deployment {
    let model = try modelName(request.modelFullName)
    let target: DeploymentTarget
    switch request.target {
    case .version(let number)?:
      try requireVersionNumber(number)
      target = .version(number)
    case .alias(let alias)?:
      target = .alias(try mapped { () throws(ServiceError) in try AliasName.validated(alias) })
    case nil:
      throw RPCError(.invalidArgument, "target is missing; set version or alias")
    }
    guard let selector = request.selector else {
      throw RPCError(
        .invalidArgument,
        "selector is missing; set a group, labels or device ids, or send an empty selector to"
          + " select every device")
    }
    for id in selector.deviceIds {
      try mapped { () throws(ServiceError) in
        try DeviceRules.validateID(id, field: "selector.device_ids")
      }
    }
    let strategy = try mapped { () throws(ServiceError) in
      try rolloutDefaults.filled(request.strategy)
    }
    try await authorize(caller, "DEPLOY", model: model)
    let progress = try await mappedAsync { () async throws(ServiceError) in
      try await engine.createDeployment(
        of: model, target: target, selector: selector, strategy: strategy,
        createdBy: caller.principal, audit: audit, lineage: caller.lineage)
    }
    logger.info(
      "deployment created",
      [
        "deployment": progress.deployment.id, "model": model,
        "version": progress.deployment.version, "devices": progress.deployment.devices.count,
        "request.id": caller.requestID,
      ])
    return deploymentMessage(progress.deployment)
  }

  private func listDeployments(
    _ request: Edgecat_Registry_V1_ListDeploymentsRequest, _ caller: Caller
  ) async throws(RPCError) -> Edgecat_Registry_V1_ListDeploymentsResponse {
    var model: String?
    if !request.modelFullName.isEmpty {
      let name = try modelName(request.modelFullName)
      try await requireDeploymentReader(caller, name)
      model = name
    }
    let page = try await mappedAsync { () async throws(ServiceError) in
      try await engine.deployments(
        of: model, pageSize: Int(request.pageSize), pageToken: request.pageToken)
    }
    let models = Array(Set(page.deployments.map(\.model))).sorted()
    let allowed = try await authenticator.allowed(
      caller.identity, anyOf: ["EXECUTE", "DEPLOY"], on: .registeredModel, models,
      deadline: caller.deadline)
    let visible = Set(zip(models, allowed).filter(\.1).map(\.0))
    var response = Edgecat_Registry_V1_ListDeploymentsResponse()
    response.deployments = page.deployments.filter { visible.contains($0.model) }.map {
      deploymentMessage($0, withDevices: false)
    }
    response.nextPageToken = page.nextPageToken
    return response
  }

  /// Throws PERMISSION_DENIED unless the end user has EXECUTE or DEPLOY on the model.
  func requireDeploymentReader(_ caller: Caller, _ model: String) async throws(RPCError) {
    let allowed = try await authenticator.allowed(
      caller.identity, anyOf: ["EXECUTE", "DEPLOY"], on: .registeredModel, [model],
      deadline: caller.deadline)
    if allowed.first != true { try await authorize(caller, "DEPLOY", model: model) }
  }

  func existingDeployment(_ id: String) async throws(RPCError) -> DeploymentRecord {
    guard !id.isEmpty else {
      throw RPCError(.invalidArgument, "deployment_id is missing; list deployments for ids")
    }
    let deployment = try await mappedAsync { () async throws(ServiceError) in
      try await engine.deployment(id)
    }
    guard let deployment else {
      throw RPCError(.notFound, "deployment \(id) does not exist; list deployments for ids")
    }
    return deployment
  }

  private func withModel(_ audit: AuditRecord, _ deployment: DeploymentRecord) -> AuditRecord {
    var event = audit
    event.securable = deployment.model
    return event
  }
}
