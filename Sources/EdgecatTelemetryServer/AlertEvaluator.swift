import EdgecatCore
import EdgecatLog
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit
import EdgecatTelemetry

/// Evaluates the alert rules on a timer and on request. Each evaluation reads the registry's
/// inventory and the version each reported model's `champion` alias names, as this service's
/// own principal, and hands them to the alert engine. Thread-safe.
public final class AlertEvaluator: Sendable {
  let alerts: AlertEngine
  let devices: DeviceDirectory
  let registry: RegistryClient
  let interval: Duration
  private let logger = Logger(component: "telemetry")

  public init(
    alerts: AlertEngine, devices: DeviceDirectory, registry: RegistryClient, interval: Duration
  ) {
    self.alerts = alerts
    self.devices = devices
    self.registry = registry
    self.interval = interval
  }

  /// Evaluates every `interval` until the task is cancelled. A failed evaluation is logged
  /// and the next tick tries again.
  public func run() async {
    logger.info("alert evaluation started", ["interval.ms": interval.milliseconds])
    while !Task.isCancelled {
      try? await Task.sleep(for: interval)
      guard !Task.isCancelled else { break }
      do {
        let response = try await evaluate(requestID: "telemetry-alerts")
        if !response.transitions.isEmpty {
          logger.info(
            "alert evaluation changed alerts", ["transitions": response.transitions.count])
        }
      } catch {
        logger.error(
          "alert evaluation failed; retrying at the next tick",
          ["error": "\(error.code): \(error.message)"])
      }
    }
  }

  /// Reads the inputs and evaluates every enabled rule once.
  func evaluate(requestID: String) async throws(RPCError)
    -> Edgecat_Telemetry_V1_EvaluateAlertsResponse
  {
    let inventory = try await devices.all(requestID: requestID)
    var champions: [String: Int64] = [:]
    let models = Set(inventory.values.flatMap { $0.reportedModels.map(\.modelFullName) })
    for model in models.sorted() {
      champions[model] = try await champion(of: model, requestID: requestID)
    }
    let alertDevices = inventory.keys.sorted().compactMap { id -> AlertDevice? in
      guard let device = inventory[id] else { return nil }
      var models: [String: Int64] = [:]
      for model in device.reportedModels where models[model.modelFullName] == nil {
        models[model.modelFullName] = model.version
      }
      return AlertDevice(id: id, models: models)
    }
    let inputs = AlertInputs(devices: alertDevices, champions: champions)
    return try await mappedAsync { () async throws(ServiceError) in
      try await alerts.evaluate(inputs)
    }
  }

  /// The version the model's `champion` alias names, nil when it has none.
  private func champion(of model: String, requestID: String) async throws(RPCError) -> Int64? {
    var request = Edgecat_Registry_V1_GetModelVersionByAliasRequest()
    request.modelFullName = model
    request.alias = "champion"
    do {
      let version: Edgecat_Registry_V1_ModelVersion = try await registry.call(
        "GetModelVersionByAlias", request, onBehalfOf: nil, requestID: requestID)
      return version.version
    } catch  where error.code == .notFound {
      return nil
    }
  }
}

/// The alert actions that change the fleet, as requests to the registry made by this service's
/// own principal, which needs DEPLOY on the models.
public struct RegistryAlertActions: AlertActions {
  let registry: RegistryClient
  private let logger = Logger(component: "telemetry")

  public init(registry: RegistryClient) {
    self.registry = registry
  }

  public func rollback(
    modelFullName: String, version: Int64, firingID: String, reason: String
  ) async -> String {
    var request = Edgecat_Registry_V1_RollbackDeploymentRequest()
    request.modelFullName = modelFullName
    request.breachingVersion = version
    request.firingID = firingID
    request.cause = reason
    do {
      let deployment: Edgecat_Registry_V1_Deployment = try await registry.call(
        "RollbackDeployment", request, onBehalfOf: nil, requestID: "alert-\(firingID)")
      logger.info(
        "alert rolled back a deployment",
        [
          "model": modelFullName, "version": version, "deployment": deployment.deploymentID,
          "firing.id": firingID,
        ])
      return "rolled back deployment \(deployment.deploymentID) of \(modelFullName)/\(version)"
    } catch {
      logger.error(
        "alert rollback failed",
        [
          "model": modelFullName, "version": version, "firing.id": firingID,
          "error": "\(error.code): \(error.message)",
        ])
      return "rollback of \(modelFullName)/\(version) failed: \(error.code): \(error.message)"
    }
  }

  public func resendDesiredState(deviceID: String, reason: String) async -> String {
    var request = Edgecat_Registry_V1_ResendDesiredStateRequest()
    request.deviceIds = [deviceID]
    do {
      let response: Edgecat_Registry_V1_ResendDesiredStateResponse = try await registry.call(
        "ResendDesiredState", request, onBehalfOf: nil, requestID: "alert-resend-\(deviceID)")
      return response.sent.contains(deviceID)
        ? "re-sent the desired state to \(deviceID)"
        : "\(deviceID) has no open desired-state stream; it gets its state when it reconnects"
    } catch {
      logger.error(
        "alert re-send of desired state failed",
        ["device": deviceID, "error": "\(error.code): \(error.message)"])
      return "re-sending the desired state to \(deviceID) failed: \(error.code): \(error.message)"
    }
  }
}

extension Duration {
  var milliseconds: Int64 {
    components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
  }
}
