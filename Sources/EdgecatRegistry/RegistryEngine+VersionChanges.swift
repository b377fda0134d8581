import EdgecatCore
import EdgecatStore

extension RegistryEngine {
  /// Deletes a version and the aliases that name it, with its audit event, then its artifact
  /// when no other version uses it. Returns the deleted aliases. A missing version is
  /// NOT_FOUND, and one that devices have as desired state FAILED_PRECONDITION.
  @discardableResult
  public func deleteVersion(_ model: String, _ number: Int64, audit: AuditRecord)
    async throws(ServiceError) -> [String]
  {
    let (aliases, artifact): ([String], String)
    do {
      (aliases, artifact) = try await store.write { db in
        let record = try Self.requireVersion(model, number, in: db)
        let desired =
          try db.queryOne(
            "SELECT count(*) FROM desired_states WHERE model = ? AND version = ?", .text(model),
            .integer(number))?[0].int ?? 0
        guard desired == 0 else {
          throw ServiceError.failedPrecondition(
            "version \(number) of \(model) is the desired state of \(desired) devices; deploy"
              + " another version to them or roll the deployment back first")
        }
        try Self.deleteRows(of: record.key, in: db)
        try AuditTrail.insert(audit, into: db)
        return (record.aliases, record.artifactSHA256)
      }
    } catch {
      throw storageError(error, "deleting version \(number) of \(model)")
    }
    if !artifact.isEmpty { await releaseArtifacts([artifact]) }
    return aliases
  }

  /// Sets a tag on a version, replacing the value of the key. A missing version is NOT_FOUND.
  public func setVersionTag(
    _ model: String, _ number: Int64, key: String, value: String, audit: AuditRecord
  ) async throws(ServiceError) {
    try VersionDetails.validateTag(key: key, value: value)
    try await changeDetails(model, number, audit: audit, operation: "setting tag \(key)") {
      details in
      var tag = TagMessage()
      tag.key = key
      tag.value = value
      details.tags = VersionDetails.sortedTags(details.tags + [tag])
    }
  }

  /// Deletes a tag of a version. Deleting a key that is not set changes nothing.
  public func deleteVersionTag(_ model: String, _ number: Int64, key: String, audit: AuditRecord)
    async throws(ServiceError)
  {
    try await changeDetails(model, number, audit: audit, operation: "deleting tag \(key)") {
      details in
      details.tags.removeAll { $0.key == key }
    }
  }

  /// Deletes the artifact rows and blob files of `hashes` that no version references any
  /// more. Each check and delete runs in a write of its own on the writer thread, where
  /// uploads also install blobs, so a blob that an upload installs again is never deleted.
  /// A failure is logged: the next start removes what is left.
  func releaseArtifacts(_ hashes: Set<String>) async {
    let blobs = self.blobs
    for sha256 in hashes {
      do {
        try await store.write { db in
          let used = try db.queryOne(
            "SELECT 1 FROM model_versions WHERE artifact_sha256 = ? LIMIT 1", .text(sha256))
          guard used == nil else { return }
          try db.execute("DELETE FROM artifacts WHERE sha256 = ?", .text(sha256))
          try blobs.remove(sha256: sha256)
        }
      } catch {
        logger.error(
          "deleting an unreferenced artifact failed; the next start removes it",
          ["artifact.sha256": sha256, "error": "\(error)"])
      }
    }
  }

  /// Deletes a version's aliases and row.
  static func deleteRows(of key: VersionKey, in db: Database) throws {
    try db.execute(
      "DELETE FROM aliases WHERE model = ? AND version = ?", .text(key.model),
      .integer(key.version))
    try db.execute(
      "DELETE FROM model_versions WHERE model = ? AND version = ?", .text(key.model),
      .integer(key.version))
  }

  private func changeDetails(
    _ model: String, _ number: Int64, audit: AuditRecord, operation: String,
    _ change: @escaping @Sendable (inout ModelVersionMessage) -> Void
  ) async throws(ServiceError) {
    let now = clock()
    do {
      try await store.write { db in
        var record = try Self.requireVersion(model, number, in: db)
        change(&record.details)
        try db.execute(
          "UPDATE model_versions SET details = ?, updated_at = ? WHERE model = ? AND version = ?",
          .blob(record.details.serializedBytes()), .real(now), .text(model), .integer(number))
        try AuditTrail.insert(audit, into: db)
      }
    } catch {
      throw storageError(error, "\(operation) on version \(number) of \(model)")
    }
  }
}
