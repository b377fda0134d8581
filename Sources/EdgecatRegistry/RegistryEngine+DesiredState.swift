import EdgecatCore
import EdgecatProto
import EdgecatStore

public typealias DesiredModel = Edgecat_Registry_V1_DesiredModel

/// A device's desired state: the models it should run.
public struct DesiredStateRecord: Sendable, Hashable {
  public let deviceID: String
  /// By model name.
  public let models: [DesiredModel]
  /// Increases with every change of the device's desired state.
  public let generation: UInt64
  /// Seconds since the Unix epoch of the last change, nil when it never changed.
  public let updatedAt: Double?
}

extension RegistryEngine {
  /// Returns a device's desired state. A device that is not registered is NOT_FOUND.
  public func desiredState(of deviceID: String) async throws(ServiceError) -> DesiredStateRecord {
    do {
      return try await store.read { db in
        guard
          let device = try db.queryOne(
            "SELECT desired_generation, desired_updated_at FROM devices WHERE device_id = ?",
            .text(deviceID))
        else { throw ServiceError.notFound("device \(deviceID) is not registered") }
        let models = try db.query(
          "SELECT model, version, artifact_sha256, artifact_size, format, deployment_id"
            + " FROM desired_states WHERE device_id = ? ORDER BY model", .text(deviceID)
        ).map { row in
          var model = DesiredModel()
          model.modelFullName = row[0].string ?? ""
          model.version = row[1].int64 ?? 0
          model.artifactSha256 = row[2].string ?? ""
          model.artifactSize = row[3].int64 ?? 0
          model.format = row[4].string ?? ""
          model.deploymentID = row[5].string ?? ""
          return model
        }
        return DesiredStateRecord(
          deviceID: deviceID, models: models, generation: UInt64(device[0].int64 ?? 0),
          updatedAt: device[1].double)
      }
    } catch {
      throw storageError(error, "reading the desired state of device \(deviceID)")
    }
  }

  /// Makes `version` the device's desired version of its model and counts the change.
  static func setDesired(
    _ deviceID: String, _ version: ModelVersionRecord, deployment: String, at time: Double,
    in db: Database
  ) throws {
    try db.execute(
      "INSERT INTO desired_states (device_id, model, version, artifact_sha256, artifact_size,"
        + " format, deployment_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        + " ON CONFLICT (device_id, model) DO UPDATE SET version = excluded.version,"
        + " artifact_sha256 = excluded.artifact_sha256, artifact_size = excluded.artifact_size,"
        + " format = excluded.format, deployment_id = excluded.deployment_id,"
        + " updated_at = excluded.updated_at",
      .text(deviceID), .text(version.model), .integer(version.version),
      .text(version.artifactSHA256), .integer(version.artifactSize),
      .text(version.details.format), .text(deployment), .real(time))
    try countChange(of: deviceID, at: time, in: db)
  }

  /// Removes the device's desired version of `model` and counts the change.
  static func clearDesired(_ deviceID: String, model: String, at time: Double, in db: Database)
    throws
  {
    try db.execute(
      "DELETE FROM desired_states WHERE device_id = ? AND model = ?", .text(deviceID),
      .text(model))
    try countChange(of: deviceID, at: time, in: db)
  }

  /// The device's desired version of `model`, nil when it has none.
  static func desiredVersion(_ deviceID: String, model: String, in db: Database) throws -> Int64? {
    try db.queryOne(
      "SELECT version FROM desired_states WHERE device_id = ? AND model = ?", .text(deviceID),
      .text(model))?[0].int64
  }

  private static func countChange(of deviceID: String, at time: Double, in db: Database) throws {
    try db.execute(
      "UPDATE devices SET desired_generation = desired_generation + 1, desired_updated_at = ?"
        + " WHERE device_id = ?", .real(time), .text(deviceID))
  }
}
