import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatRegistry
import EdgecatServiceKit

extension RegistryServer {
  /// Rolls back the named deployment, or the one in force of a breaching version, after
  /// checking DEPLOY on its model, and records the restored versions as lineage.
  func rollback(
    _ request: Edgecat_Registry_V1_RollbackDeploymentRequest, _ caller: Caller,
    _ audit: AuditRecord
  ) async throws(RPCError) -> Edgecat_Registry_V1_Deployment {
    let rollback: RollbackRequest
    if !request.deploymentID.isEmpty {
      let deployment = try await existingDeployment(request.deploymentID)
      rollback = RollbackRequest(
        deploymentID: deployment.id, model: deployment.model, breachingVersion: nil,
        firingID: request.firingID, cause: request.cause, requestedBy: caller.principal)
    } else {
      guard !request.modelFullName.isEmpty else {
        throw RPCError(
          .invalidArgument,
          "deployment_id and model_full_name are both empty; name the deployment, or the model"
            + " and breaching_version")
      }
      try requireVersionNumber(request.breachingVersion)
      rollback = RollbackRequest(
        deploymentID: nil, model: try modelName(request.modelFullName),
        breachingVersion: request.breachingVersion, firingID: request.firingID,
        cause: request.cause, requestedBy: caller.principal)
    }

    try await authorize(caller, "DEPLOY", model: rollback.model)
    let progress = try await mappedAsync { () async throws(ServiceError) in
      try await engine.rollback(rollback, audit: audit)
    }
    logger.info(
      "deployment rolled back",
      [
        "deployment": progress.deployment.id, "model": rollback.model,
        "devices": progress.changed.count, "request.id": caller.requestID,
      ])

    let changed = Set(progress.changed)
    var byVersion: [Int64: [String]] = [:]
    for device in progress.deployment.devices
    where changed.contains(device.deviceID) && device.previousVersion > 0 {
      byVersion[device.previousVersion, default: []].append(device.deviceID)
    }
    for (version, devices) in byVersion {
      await catalog.recordDeployment(
        model: rollback.model, version: version, devices: devices, kind: "ROLLED_BACK_TO",
        onBehalfOf: caller.principal, requestID: caller.requestID,
        environment: caller.environment, deadline: caller.deadline)
    }
    return deploymentMessage(progress.deployment)
  }
}
