import EdgecatCore
import EdgecatStore

extension RegistryEngine {
  /// Returns the ids of the ROLLING_OUT deployments in creation order.
  public func rollingOutDeployments() async throws(ServiceError) -> [String] {
    do {
      return try await store.read { db in
        try db.query(
          "SELECT id FROM deployments WHERE state = ? ORDER BY sequence",
          .integer(Int64(DeploymentState.rollingOut.rawValue))
        ).compactMap { $0[0].string }
      }
    } catch {
      throw storageError(error, "listing the deployments rolling out")
    }
  }

  /// Takes one step of a ROLLING_OUT deployment: updates its devices from their reports and
  /// the stage timeout, then halts it, starts the soak time, starts the next stage or
  /// completes it, as `RolloutEvaluation` decides. Stage starts, halts and completions are
  /// audited as `audit` with the action and parameters of the step, and a started stage
  /// queues its lineage for `caller`. Returns nil when nothing changed.
  public func advanceDeployment(
    _ id: String, audit: AuditRecord, lineage caller: LineageCaller
  ) async throws(ServiceError) -> RolloutProgress? {
    let now = clock()
    let progress: RolloutProgress?
    do {
      progress = try await store.write { db in
        var deployment = try Self.requireDeployment(id, in: db)
        guard deployment.state == .rollingOut else { return nil }
        var devices: [String: DeviceRecord] = [:]
        for entry in deployment.devices where entry.state == .targeted || entry.state == .updated {
          devices[entry.deviceID] = try Self.device(entry.deviceID, in: db)
        }
        var changed = Set(RolloutEvaluation.refresh(&deployment, devices: devices, now: now))
        let step = RolloutEvaluation.nextStep(deployment, now: now)
        let (event, targeted) = try Self.apply(
          step, to: &deployment, for: caller, at: now, in: db)
        guard !changed.isEmpty || step != .wait else { return nil }
        changed.formUnion(targeted)
        deployment.updatedAt = now
        // A started stage may also have marked deregistered devices failed, so it writes all.
        try Self.update(deployment, devices: step == .advance ? nil : changed, in: db)
        if let (action, parameters) = event {
          var record = audit
          record.action = action
          record.securable = deployment.model
          record.parameters = encodeJSONObject([("deployment", deployment.id)] + parameters)
          try AuditTrail.insert(record, into: db)
        }
        return RolloutProgress(deployment: deployment, targeted: targeted, changed: targeted)
      }
    } catch {
      throw storageError(error, "advancing deployment \(id)")
    }
    if let progress {
      desiredStates.changed(progress.changed)
      if !progress.targeted.isEmpty { lineageQueued.notify() }
    }
    return progress
  }

  /// Applies a step and returns its audit action and parameters, nil for steps that are not
  /// audited, and the devices a new stage targeted.
  private static func apply(
    _ step: RolloutStep, to deployment: inout DeploymentRecord, for caller: LineageCaller,
    at now: Double, in db: Database
  ) throws -> (event: (String, [(String, String)])?, targeted: [String]) {
    switch step {
    case .wait:
      return (nil, [])
    case .startSoak:
      deployment.soakStartedAt = now
      return (nil, [])
    case .halt(let reason):
      deployment.state = .halted
      deployment.stateMessage = reason
      return (("HaltDeployment", [("reason", reason)]), [])
    case .succeed:
      deployment.state = .succeeded
      return (("CompleteDeployment", [("version", String(deployment.version))]), [])
    case .advance:
      let target: DeploymentTarget =
        deployment.alias.isEmpty ? .version(deployment.version) : .alias(deployment.alias)
      let version: ModelVersionRecord
      do {
        version = try resolveTarget(target, of: deployment.model, in: db).0
      } catch let error as ServiceError {
        let reason = "the next stage cannot start: \(error.message)"
        deployment.state = .halted
        deployment.stateMessage = reason
        return (("HaltDeployment", [("reason", reason)]), [])
      }
      let targeted = try start(
        stage: deployment.currentStage + 1, of: &deployment, version: version, for: caller,
        at: now, in: db)
      let parameters = [
        ("stage", String(deployment.currentStage + 1)), ("version", String(version.version)),
        ("devices", String(targeted.count)),
      ]
      return (("StartDeploymentStage", parameters), targeted)
    }
  }
}
