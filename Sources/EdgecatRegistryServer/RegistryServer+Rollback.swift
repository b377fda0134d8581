import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatRegistry
import EdgecatServiceKit

extension RegistryServer {
  /// Rolls back the named deployment, or the one in force of a breaching version, after
  /// checking DEPLOY on its model. The engine queues the restored versions' lineage.
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
      try await engine.rollback(rollback, audit: audit, lineage: caller.lineage)
    }
    logger.info(
      "deployment rolled back",
      [
        "deployment": progress.deployment.id, "model": rollback.model,
        "devices": progress.changed.count, "request.id": caller.requestID,
      ])
    return deploymentMessage(progress.deployment)
  }
}
