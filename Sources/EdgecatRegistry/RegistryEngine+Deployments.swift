import EdgecatCore
import EdgecatCrypto
import EdgecatStore

/// The target of a deployment.
public enum DeploymentTarget: Sendable, Hashable {
  case version(Int64)
  /// An alias, resolved again at the start of every stage.
  case alias(String)
}

extension RegistryEngine {
  /// Creates a deployment of `model` to the devices `selector` matches, with the audit event,
  /// supersedes unfinished deployments of the model that share a device, and starts its first
  /// stage, queueing its lineage for `caller`. The version must be READY, a device id in the
  /// selector that is not registered is NOT_FOUND, and a selector that matches no device is
  /// FAILED_PRECONDITION. `strategy` must have its defaults filled in.
  public func createDeployment(
    of model: String, target: DeploymentTarget, selector: DeviceSelector,
    strategy: RolloutStrategy, createdBy: String, audit: AuditRecord, lineage caller: LineageCaller
  ) async throws(ServiceError) -> RolloutProgress {
    let id: String
    do {
      id = "dep-" + Hex.encode(try SecureRandom.bytes(count: 8))
    } catch {
      throw ServiceError(code: .internal, message: "the system's random source failed: \(error)")
    }
    let now = clock()
    let progress: RolloutProgress
    do {
      progress = try await store.write { db in
        let (version, alias) = try Self.resolveTarget(target, of: model, in: db)
        try Self.requireRegistered(selector.deviceIds, field: "selector.device_ids", in: db)
        let devices = try Self.devices(matching: selector, after: "", limit: .max, in: db)
        guard !devices.isEmpty else {
          throw ServiceError.failedPrecondition(
            "the selector matches no registered device; check its group, labels and ids")
        }
        let sequence = (try db.queryOne("SELECT max(sequence) FROM deployments")?[0].int64 ?? 0) + 1
        var deployment = DeploymentRecord(
          id: id, sequence: sequence, model: model, version: version.version,
          alias: alias?.alias ?? "", aliasPreviousVersion: alias?.previousVersion ?? 0,
          selector: selector, strategy: strategy, createdBy: createdBy, at: now)
        let stages = RolloutDefaults.stages(of: devices.count, percents: strategy.stagePercents)
        for (device, stage) in zip(devices, stages) {
          let previous =
            try Self.desiredVersion(device.deviceID, model: model, in: db)
            ?? device.reported(model).map(\.version) ?? 0
          deployment.devices.append(
            DeploymentDeviceRecord(
              deviceID: device.deviceID, stage: stage, previousVersion: previous, at: now))
        }
        try Self.supersede(model, devices: devices.map(\.deviceID), by: id, at: now, in: db)
        let targeted = try Self.start(
          stage: 0, of: &deployment, version: version, for: caller, at: now, in: db)
        try Self.insert(deployment, into: db)
        try AuditTrail.insert(audit.adding("deployment", id), into: db)
        return RolloutProgress(deployment: deployment, targeted: targeted, changed: targeted)
      }
    } catch {
      throw storageError(error, "creating a deployment of \(model)")
    }
    desiredStates.changed(progress.changed)
    if !progress.targeted.isEmpty { lineageQueued.notify() }
    return progress
  }

  /// Throws NOT_FOUND naming the ids of `deviceIDs`, the request's `field`, that no registered
  /// device has, so that a mistyped id fails the call instead of leaving that device out.
  public func requireRegistered(_ deviceIDs: [String], field: String) async throws(ServiceError) {
    do {
      try await store.read { db in try Self.requireRegistered(deviceIDs, field: field, in: db) }
    } catch {
      throw storageError(error, "looking up devices")
    }
  }

  static func requireRegistered(_ deviceIDs: [String], field: String, in db: Database) throws {
    var missing: [String] = []
    for id in Set(deviceIDs).sorted()
    where try db.queryOne("SELECT 1 FROM devices WHERE device_id = ?", .text(id)) == nil {
      missing.append(id)
    }
    guard missing.isEmpty else {
      let firstIDs = missing.prefix(10).joined(separator: ", ")
      let more = missing.count > 10 ? " and \(missing.count - 10) more" : ""
      throw ServiceError.notFound(
        "\(field) names devices that are not registered: \(firstIDs)\(more); register them or"
          + " leave them out")
    }
  }

  /// Returns a deployment with its devices, or nil when none has that id.
  public func deployment(_ id: String) async throws(ServiceError) -> DeploymentRecord? {
    do {
      return try await store.read { db in try Self.deployment(id, in: db) }
    } catch {
      throw storageError(error, "reading deployment \(id)")
    }
  }

  /// Returns a page of deployments in creation order, of one model when `model` is set,
  /// without their devices.
  public func deployments(of model: String?, pageSize: Int, pageToken: String)
    async throws(ServiceError) -> (deployments: [DeploymentRecord], nextPageToken: String)
  {
    let limit = try Paging.limit(pageSize)
    let list = "deployments"
    let after = try Paging.cursor(in: pageToken, list: list).flatMap { Int64($0) } ?? 0
    let records: [DeploymentRecord]
    do {
      records = try await store.read { db in
        let rows =
          if let model {
            try db.query(
              "SELECT \(DeploymentRecord.columns) FROM deployments WHERE model = ? AND"
                + " sequence > ? ORDER BY sequence LIMIT ?", .text(model), .integer(after),
              .integer(Int64(limit + 1)))
          } else {
            try db.query(
              "SELECT \(DeploymentRecord.columns) FROM deployments WHERE sequence > ?"
                + " ORDER BY sequence LIMIT ?", .integer(after), .integer(Int64(limit + 1)))
          }
        return rows.compactMap(DeploymentRecord.init(row:))
      }
    } catch {
      throw storageError(error, "listing deployments")
    }
    guard records.count > limit else { return (records, "") }
    let page = Array(records.prefix(limit))
    return (page, Paging.token(list: list, cursor: String(page[limit - 1].sequence)))
  }

  /// Stops a rolling-out deployment from advancing, with the audit event.
  public func pauseDeployment(_ id: String, audit: AuditRecord) async throws(ServiceError)
    -> DeploymentRecord
  {
    try await changeDeployment(id, audit: audit, operation: "pausing") { deployment, _ in
      guard deployment.state == .rollingOut else {
        throw ServiceError.failedPrecondition(
          "deployment \(id) is \(deployment.state.name); only a ROLLING_OUT deployment pauses")
      }
      deployment.state = .paused
    }
  }

  /// Continues a paused deployment, with the audit event. The current stage's timeout and
  /// soak time start again, so the pause does not count against its devices.
  public func resumeDeployment(_ id: String, audit: AuditRecord) async throws(ServiceError)
    -> DeploymentRecord
  {
    try await changeDeployment(id, audit: audit, operation: "resuming") { deployment, now in
      guard deployment.state == .paused else {
        throw ServiceError.failedPrecondition(
          "deployment \(id) is \(deployment.state.name); only a PAUSED deployment resumes")
      }
      deployment.state = .rollingOut
      if deployment.soakStartedAt != nil { deployment.soakStartedAt = now }
      for index in deployment.devices.indices where deployment.devices[index].state == .targeted {
        deployment.devices[index].targetedAt = now
      }
    }
  }

  private func changeDeployment(
    _ id: String, audit: AuditRecord, operation: String,
    _ change: @escaping @Sendable (inout DeploymentRecord, Double) throws -> Void
  ) async throws(ServiceError) -> DeploymentRecord {
    let now = clock()
    do {
      return try await store.write { db in
        var deployment = try Self.requireDeployment(id, in: db)
        try change(&deployment, now)
        deployment.updatedAt = now
        try Self.update(deployment, in: db)
        try AuditTrail.insert(audit, into: db)
        return deployment
      }
    } catch {
      throw storageError(error, "\(operation) deployment \(id)")
    }
  }
}

extension DeploymentState {
  /// The state as the API spells it, such as "ROLLING_OUT".
  public var name: String {
    switch self {
    case .unspecified: "UNSPECIFIED"
    case .rollingOut: "ROLLING_OUT"
    case .paused: "PAUSED"
    case .halted: "HALTED"
    case .succeeded: "SUCCEEDED"
    case .rolledBack: "ROLLED_BACK"
    case .superseded: "SUPERSEDED"
    case .unrecognized(let value): "state \(value)"
    }
  }
}
