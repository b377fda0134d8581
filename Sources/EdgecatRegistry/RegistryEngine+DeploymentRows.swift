import EdgecatCore
import EdgecatStore

/// The effect of one change of a deployment on its devices.
public struct RolloutProgress: Sendable {
  public let deployment: DeploymentRecord
  /// Devices a stage started on, which now have the deployment's version as desired state.
  public let targeted: [String]
  /// Devices whose desired state changed.
  public let changed: [String]
}

extension RegistryEngine {
  static func deployment(_ id: String, in db: Database) throws -> DeploymentRecord? {
    guard
      let row = try db.queryOne(
        "SELECT \(DeploymentRecord.columns) FROM deployments WHERE id = ?", .text(id)),
      var deployment = DeploymentRecord(row: row)
    else { return nil }
    deployment.devices = try db.query(
      "SELECT \(DeploymentDeviceRecord.columns) FROM deployment_devices WHERE deployment_id = ?"
        + " ORDER BY device_id", .text(id)
    ).map(DeploymentDeviceRecord.init(row:))
    return deployment
  }

  static func requireDeployment(_ id: String, in db: Database) throws -> DeploymentRecord {
    guard let deployment = try deployment(id, in: db) else {
      throw ServiceError.notFound("deployment \(id) does not exist; list deployments for ids")
    }
    return deployment
  }

  /// Returns the READY version a target names now, and the alias when it names one.
  static func resolveTarget(_ target: DeploymentTarget, of model: String, in db: Database) throws
    -> (ModelVersionRecord, AliasRecord?)
  {
    var alias: AliasRecord?
    let number: Int64
    switch target {
    case .version(let value):
      number = value
    case .alias(let name):
      guard let record = try Self.alias(try AliasName.validated(name), of: model, in: db) else {
        throw missingAlias(name, model)
      }
      alias = record
      number = record.version
    }
    let version = try requireVersion(model, number, in: db)
    guard version.status == .ready else {
      throw ServiceError.failedPrecondition(
        "version \(number) of \(model) is \(version.status.name); only a READY version can be"
          + " deployed")
    }
    return (version, alias)
  }

  /// Starts the first stage from `stage` on that has devices: gives each of its devices
  /// `version` as desired state and queues a DEPLOYED_TO lineage edge for it, sent for
  /// `caller`. Returns the ids of the devices targeted.
  static func start(
    stage: Int, of deployment: inout DeploymentRecord, version: ModelVersionRecord,
    for caller: LineageCaller, at time: Double, in db: Database
  ) throws -> [String] {
    guard let first = deployment.devices.map(\.stage).filter({ $0 >= stage }).min() else {
      return []
    }
    deployment.currentStage = first
    deployment.version = version.version
    deployment.soakStartedAt = nil
    var targeted: [String] = []
    for index in deployment.devices.indices where deployment.devices[index].stage == first {
      var entry = deployment.devices[index]
      entry.targetVersion = version.version
      entry.targetedAt = time
      entry.updatedAt = time
      if try device(entry.deviceID, in: db) != nil {
        entry.state = .targeted
        try setDesired(entry.deviceID, version, deployment: deployment.id, at: time, in: db)
        targeted.append(entry.deviceID)
      } else {
        entry.state = .failed
        entry.message = "the device was deregistered"
      }
      deployment.devices[index] = entry
    }
    try queueLineage(
      model: deployment.model, version: version.version, devices: targeted, kind: "DEPLOYED_TO",
      caller: caller, at: time, in: db)
    return targeted
  }

  /// Marks unfinished deployments of `model` that share a device with a new one SUPERSEDED.
  static func supersede(
    _ model: String, devices: [String], by id: String, at time: Double, in db: Database
  ) throws {
    let selected = Set(devices)
    let unfinished = try db.query(
      "SELECT id FROM deployments WHERE model = ? AND state IN (?, ?, ?)", .text(model),
      .integer(Int64(DeploymentState.rollingOut.rawValue)),
      .integer(Int64(DeploymentState.paused.rawValue)),
      .integer(Int64(DeploymentState.halted.rawValue))
    ).compactMap { $0[0].string }
    for other in unfinished {
      let shared = try db.query(
        "SELECT device_id FROM deployment_devices WHERE deployment_id = ?", .text(other)
      ).contains { selected.contains($0[0].string ?? "") }
      guard shared else { continue }
      try db.execute(
        "UPDATE deployments SET state = ?, state_message = ?, updated_at = ? WHERE id = ?",
        .integer(Int64(DeploymentState.superseded.rawValue)),
        .text("superseded by deployment \(id)"), .real(time), .text(other))
    }
  }

  static func insert(_ deployment: DeploymentRecord, into db: Database) throws {
    try db.execute(
      "INSERT INTO deployments (\(DeploymentRecord.columns))"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      .text(deployment.id), .integer(deployment.sequence), .text(deployment.model),
      .integer(deployment.version), .text(deployment.alias),
      .integer(deployment.aliasPreviousVersion), .blob(deployment.selector.serializedBytes()),
      .blob(deployment.strategy.serializedBytes()), .integer(Int64(deployment.state.rawValue)),
      .integer(Int64(deployment.currentStage)), SQLValue(deployment.soakStartedAt),
      .text(deployment.stateMessage), .text(deployment.createdBy), .real(deployment.createdAt),
      .real(deployment.updatedAt))
    try write(deployment.devices, of: deployment.id, in: db)
  }

  /// Stores the deployment's changing columns and the devices in `devices`, all when nil.
  static func update(
    _ deployment: DeploymentRecord, devices: Set<String>? = nil, in db: Database
  ) throws {
    try db.execute(
      "UPDATE deployments SET version = ?, state = ?, current_stage = ?, soak_started_at = ?,"
        + " state_message = ?, updated_at = ? WHERE id = ?",
      .integer(deployment.version), .integer(Int64(deployment.state.rawValue)),
      .integer(Int64(deployment.currentStage)), SQLValue(deployment.soakStartedAt),
      .text(deployment.stateMessage), .real(deployment.updatedAt), .text(deployment.id))
    let changed = deployment.devices.filter { devices?.contains($0.deviceID) ?? true }
    try write(changed, of: deployment.id, in: db)
  }

  private static func write(
    _ devices: [DeploymentDeviceRecord], of id: String, in db: Database
  ) throws {
    for device in devices {
      try db.execute(
        "INSERT OR REPLACE INTO deployment_devices (deployment_id, \(DeploymentDeviceRecord.columns))"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        .text(id), .text(device.deviceID), .integer(Int64(device.stage)),
        .integer(Int64(device.state.rawValue)), .integer(device.previousVersion),
        .integer(device.targetVersion), SQLValue(device.targetedAt), .text(device.message),
        .real(device.updatedAt))
    }
  }
}
