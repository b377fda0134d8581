import EdgecatCore
import EdgecatStore

extension RegistryEngine {
  /// Starts the state of a model that the catalog just created. State left under the same
  /// name by a model whose drop this service has not processed yet belongs to that old model,
  /// so it is deleted first. Returns the numbers of the versions deleted that way.
  @discardableResult
  public func startModel(_ fullName: String, audit: AuditRecord) async throws(ServiceError)
    -> [Int64]
  {
    let now = clock()
    let deleted: DeletedModelRows
    do {
      deleted = try await store.write { db in
        let stale = try Self.deleteModelRows(fullName, in: db)
        try db.execute(
          "INSERT INTO models (full_name, last_version, created_at) VALUES (?, 0, ?)",
          .text(fullName), .real(now))
        try AuditTrail.insert(audit, into: db)
        return stale
      }
    } catch {
      throw storageError(error, "starting registered model \(fullName)")
    }
    desiredStates.changed(deleted.devices)
    await releaseArtifacts(deleted.artifacts)
    return deleted.versions
  }

  /// Deletes a model's versions, aliases and counter with the audit event, then the artifacts
  /// no other version uses. Returns the numbers of the deleted versions. A model without
  /// state deletes nothing and succeeds.
  @discardableResult
  public func dropModel(_ fullName: String, audit: AuditRecord) async throws(ServiceError)
    -> [Int64]
  {
    let deleted: DeletedModelRows
    do {
      deleted = try await store.write { db in
        let result = try Self.deleteModelRows(fullName, in: db)
        try AuditTrail.insert(audit.adding("versions", String(result.versions.count)), into: db)
        return result
      }
    } catch {
      throw storageError(error, "deleting the versions of \(fullName)")
    }
    desiredStates.changed(deleted.devices)
    await releaseArtifacts(deleted.artifacts)
    return deleted.versions
  }

  /// Returns the numbers of `model`'s versions in order.
  public func versionNumbers(of model: String) async throws(ServiceError) -> [Int64] {
    do {
      return try await store.read { db in
        try db.query(
          "SELECT version FROM model_versions WHERE model = ? ORDER BY version", .text(model)
        ).compactMap { $0[0].int64 }
      }
    } catch {
      throw storageError(error, "listing the versions of \(model)")
    }
  }

  /// True when this service has state for the model: a counter row, with or without versions.
  public func hasModel(_ fullName: String) async throws(ServiceError) -> Bool {
    do {
      return try await store.read { db in
        try db.queryOne("SELECT 1 FROM models WHERE full_name = ?", .text(fullName)) != nil
      }
    } catch {
      throw storageError(error, "looking up model \(fullName)")
    }
  }

  /// Returns the full names of every model this service has state for, sorted.
  public func modelNames() async throws(ServiceError) -> [String] {
    do {
      return try await store.read { db in
        try db.query("SELECT full_name FROM models ORDER BY full_name").compactMap {
          $0[0].string
        }
      }
    } catch {
      throw storageError(error, "listing the models")
    }
  }

  /// Deletes every row of a model, its deployments and the desired states that name it, and
  /// returns its version numbers and artifact hashes.
  static func deleteModelRows(_ fullName: String, in db: Database) throws -> DeletedModelRows {
    let rows = try db.query(
      "SELECT version, artifact_sha256 FROM model_versions WHERE model = ? ORDER BY version",
      .text(fullName))
    let now = wallClockSeconds()
    let devices = try db.query(
      "SELECT device_id FROM desired_states WHERE model = ?", .text(fullName)
    ).compactMap { $0[0].string }
    for device in devices { try clearDesired(device, model: fullName, at: now, in: db) }
    try db.execute(
      "DELETE FROM deployment_devices WHERE deployment_id IN"
        + " (SELECT id FROM deployments WHERE model = ?)", .text(fullName))
    try db.execute("DELETE FROM deployments WHERE model = ?", .text(fullName))
    try db.execute("DELETE FROM aliases WHERE model = ?", .text(fullName))
    try db.execute("DELETE FROM model_versions WHERE model = ?", .text(fullName))
    try db.execute("DELETE FROM models WHERE full_name = ?", .text(fullName))
    return DeletedModelRows(
      versions: rows.compactMap { $0[0].int64 }, artifacts: Set(rows.compactMap { $0[1].string }),
      devices: devices)
  }
}

/// The rows deleting a model removed.
struct DeletedModelRows: Sendable {
  let versions: [Int64]
  let artifacts: Set<String>
  /// Devices whose desired state named the model.
  let devices: [String]
}
