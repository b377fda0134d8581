import EdgecatCore
import EdgecatStore

/// The deployment a rollback returns, and the cause.
public struct RollbackRequest: Sendable {
  /// The deployment named directly, nil to name the breaching version instead.
  public var deploymentID: String?
  public var model: String
  /// The version an alert found breaching, nil for a rollback by deployment id.
  public var breachingVersion: Int64?
  /// The alert firing, which makes a repeat change nothing, empty when none.
  public var firingID: String
  /// The reason the caller gave, or empty.
  public var cause: String
  public var requestedBy: String

  /// The cause recorded in device entries and on a rolled back version. It is the caller's
  /// cause, or names the caller when it gave none.
  var recordedCause: String { cause.isEmpty ? "requested by \(requestedBy)" : cause }

  public init(
    deploymentID: String?, model: String, breachingVersion: Int64?, firingID: String,
    cause: String, requestedBy: String
  ) {
    self.deploymentID = deploymentID
    self.model = model
    self.breachingVersion = breachingVersion
    self.firingID = firingID
    self.cause = cause
    self.requestedBy = requestedBy
  }
}

extension RegistryEngine {
  /// Returns every device the deployment reached to its previous version, with the audit
  /// event. It clears the device's desired version of the model when it had none, or when that
  /// version was deleted since, which the device's message and the state message then record.
  /// When the deployment deployed an alias, it also moves the alias back to the version it
  /// named before, if the alias still names a version this deployment rolled out. For a
  /// breaching version, that version must be the one the alias names. The state message
  /// records the move. A breaching
  /// version is also marked rolled back with its cause. Devices whose desired state a later
  /// deployment set keep it. Each device given its previous version back gets a queued
  /// ROLLED_BACK_TO lineage edge from that version, sent for `caller`.
  /// A repeated `firingID` returns the deployment it rolled back and changes nothing.
  public func rollback(
    _ request: RollbackRequest, audit: AuditRecord, lineage caller: LineageCaller
  ) async throws(ServiceError) -> RolloutProgress {
    let now = clock()
    let progress: RolloutProgress
    do {
      progress = try await store.write { db in
        if !request.firingID.isEmpty,
          let row = try db.queryOne(
            "SELECT deployment_id FROM rollback_firings WHERE firing_id = ?",
            .text(request.firingID)),
          let earlier = try Self.deployment(row[0].string ?? "", in: db)
        {
          return RolloutProgress(deployment: earlier, targeted: [], changed: [])
        }
        var deployment = try Self.rollbackTarget(request, in: db)
        let reverted = try Self.revertDevices(
          of: &deployment, cause: request.recordedCause, at: now, in: db)
        for (version, devices) in reverted.restored.sorted(by: { $0.key < $1.key }) {
          try Self.queueLineage(
            model: deployment.model, version: version, devices: devices, kind: "ROLLED_BACK_TO",
            caller: caller, at: now, in: db)
        }
        let rolledOut =
          request.breachingVersion.map { [$0] }
          ?? Set([deployment.version] + deployment.devices.map(\.targetVersion))
        let restored = try Self.restoreAlias(of: deployment, from: rolledOut, at: now, in: db)
        deployment.state = .rolledBack
        deployment.stateMessage = "rolled back by \(request.requestedBy)"
        if !request.cause.isEmpty { deployment.stateMessage += ": \(request.cause)" }
        if !reverted.stranded.isEmpty {
          deployment.stateMessage +=
            "; \(reverted.stranded.count) of its devices have no desired version now, because"
            + " their previous version was deleted"
        }
        if let restored {
          deployment.stateMessage +=
            "; alias \(deployment.alias) moved back from version \(restored) to version"
            + " \(deployment.aliasPreviousVersion)"
        }
        deployment.updatedAt = now
        try Self.update(deployment, in: db)
        if let breaching = request.breachingVersion {
          try Self.markRolledBack(
            deployment.model, breaching: breaching, cause: request.recordedCause, at: now, in: db)
        }
        if !request.firingID.isEmpty {
          try db.execute(
            "INSERT INTO rollback_firings (firing_id, deployment_id, created_at) VALUES (?, ?, ?)",
            .text(request.firingID), .text(deployment.id), .real(now))
        }
        try AuditTrail.insert(audit.adding("deployment", deployment.id), into: db)
        return RolloutProgress(deployment: deployment, targeted: [], changed: reverted.changed)
      }
    } catch {
      throw storageError(error, "rolling back a deployment of \(request.model)")
    }
    desiredStates.changed(progress.changed)
    if !progress.changed.isEmpty { lineageQueued.notify() }
    return progress
  }

  /// The deployment named by id, or the newest one of the breaching version still in force:
  /// unfinished or SUCCEEDED.
  private static func rollbackTarget(_ request: RollbackRequest, in db: Database) throws
    -> DeploymentRecord
  {
    if let id = request.deploymentID {
      let deployment = try requireDeployment(id, in: db)
      guard deployment.model == request.model else {
        throw ServiceError.notFound("deployment \(id) does not deploy \(request.model)")
      }
      guard deployment.isUnfinished || deployment.state == .succeeded else {
        throw ServiceError.failedPrecondition(
          "deployment \(id) is \(deployment.state.name) and no longer in force, so it cannot be"
            + " rolled back")
      }
      return deployment
    }
    let breaching = request.breachingVersion ?? 0
    let ids = try db.query(
      "SELECT id FROM deployments WHERE model = ? AND state IN (?, ?, ?, ?)"
        + " ORDER BY sequence DESC", .text(request.model),
      .integer(Int64(DeploymentState.rollingOut.rawValue)),
      .integer(Int64(DeploymentState.paused.rawValue)),
      .integer(Int64(DeploymentState.halted.rawValue)),
      .integer(Int64(DeploymentState.succeeded.rawValue))
    ).compactMap { $0[0].string }
    for id in ids {
      guard let deployment = try deployment(id, in: db) else { continue }
      if deployment.version == breaching
        || deployment.devices.contains(where: { $0.targetVersion == breaching })
      {
        return deployment
      }
    }
    throw ServiceError.notFound(
      "no deployment of version \(breaching) of \(request.model) is in force, so there is"
        + " nothing to roll back")
  }

  /// Returns each device the deployment reached to its previous version. Returns the ids of
  /// the devices whose desired state changed, of those given their previous version back
  /// grouped by that version, and of those whose previous version was deleted since, which are
  /// left with no desired version of the model.
  private static func revertDevices(
    of deployment: inout DeploymentRecord, cause: String, at now: Double, in db: Database
  ) throws -> (changed: [String], restored: [Int64: [String]], stranded: [String]) {
    var changed: [String] = []
    var restored: [Int64: [String]] = [:]
    var stranded: [String] = []
    for index in deployment.devices.indices {
      var entry = deployment.devices[index]
      guard [.targeted, .updated, .failed].contains(entry.state) else { continue }
      entry.state = .rolledBack
      entry.message = cause
      entry.updatedAt = now
      deployment.devices[index] = entry
      let owner = try db.queryOne(
        "SELECT deployment_id FROM desired_states WHERE device_id = ? AND model = ?",
        .text(entry.deviceID), .text(deployment.model))?[0].string
      guard owner == deployment.id else {
        deployment.devices[index].message +=
          owner.map { "; deployment \($0) set its desired state since, so the rollback left it" }
          ?? "; its desired version of \(deployment.model) was removed since, so the rollback"
          + " left it"
        continue
      }
      if entry.previousVersion > 0,
        let previous = try version(deployment.model, entry.previousVersion, in: db),
        previous.status == .ready
      {
        try setDesired(entry.deviceID, previous, deployment: deployment.id, at: now, in: db)
        restored[entry.previousVersion, default: []].append(entry.deviceID)
      } else {
        if entry.previousVersion > 0 {
          stranded.append(entry.deviceID)
          deployment.devices[index].message +=
            "; its previous version \(entry.previousVersion) no longer exists, so it has no"
            + " desired version of \(deployment.model) now"
        }
        try clearDesired(entry.deviceID, model: deployment.model, at: now, in: db)
      }
      changed.append(entry.deviceID)
    }
    return (changed, restored, stranded)
  }

  private static func markRolledBack(
    _ model: String, breaching: Int64, cause: String, at now: Double, in db: Database
  ) throws {
    try db.execute(
      "UPDATE model_versions SET rolled_back_at = ?, rollback_cause = ?, updated_at = ?"
        + " WHERE model = ? AND version = ?", .real(now), .text(cause), .real(now),
      .text(model), .integer(breaching))
  }

  /// Moves the deployed alias back to the version it named before the deployment, when it
  /// still names one of `rolledOut` and that earlier version exists, and returns the version
  /// it moved from. An alias set elsewhere since the deployment is left alone.
  private static func restoreAlias(
    of deployment: DeploymentRecord, from rolledOut: Set<Int64>, at now: Double, in db: Database
  ) throws -> Int64? {
    guard !deployment.alias.isEmpty, deployment.aliasPreviousVersion > 0,
      let alias = try alias(deployment.alias, of: deployment.model, in: db),
      rolledOut.contains(alias.version), alias.version != deployment.aliasPreviousVersion,
      try version(deployment.model, deployment.aliasPreviousVersion, in: db) != nil
    else { return nil }
    try db.execute(
      "UPDATE aliases SET version = ?, previous_version = ?, updated_at = ?"
        + " WHERE model = ? AND alias = ?", .integer(deployment.aliasPreviousVersion),
      .integer(alias.version), .real(now), .text(deployment.model), .text(deployment.alias))
    return alias.version
  }
}
