import EdgecatCore
import EdgecatStore

/// An alias and the version it names.
public struct AliasRecord: Sendable, Hashable {
  public let alias: String
  public let version: Int64
  /// The version the alias named before its last move, 0 when it never moved.
  public let previousVersion: Int64
}

extension RegistryEngine {
  /// Points `alias` at a READY version of `model`, moving it when it names another one, with
  /// the audit event. An invalid or reserved alias is INVALID_ARGUMENT, a missing version is
  /// NOT_FOUND and a version that is not READY is FAILED_PRECONDITION.
  @discardableResult
  public func setAlias(_ alias: String, of model: String, to number: Int64, audit: AuditRecord)
    async throws(ServiceError) -> AliasRecord
  {
    let alias = try AliasName.validated(alias)
    let now = clock()
    do {
      return try await store.write { db in
        // Only a READY version has an artifact, so an alias never resolves to one without.
        let version = try Self.requireVersion(model, number, in: db)
        guard version.status == .ready else {
          throw ServiceError.failedPrecondition(Self.aliasNeedsReady(alias, version))
        }
        let current = try Self.alias(alias, of: model, in: db)
        var previous = current?.previousVersion ?? 0
        if let current, current.version != number { previous = current.version }
        try db.execute(
          "INSERT INTO aliases (model, alias, version, previous_version, updated_at)"
            + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (model, alias) DO UPDATE SET"
            + " version = excluded.version, previous_version = excluded.previous_version,"
            + " updated_at = excluded.updated_at",
          .text(model), .text(alias), .integer(number), .integer(previous), .real(now))
        try AuditTrail.insert(audit, into: db)
        return AliasRecord(alias: alias, version: number, previousVersion: previous)
      }
    } catch {
      throw storageError(error, "setting alias \(alias) of \(model)")
    }
  }

  /// Deletes an alias with the audit event. A missing alias is NOT_FOUND.
  public func deleteAlias(_ alias: String, of model: String, audit: AuditRecord)
    async throws(ServiceError)
  {
    let alias = try AliasName.validated(alias)
    do {
      try await store.write { db in
        try db.execute(
          "DELETE FROM aliases WHERE model = ? AND alias = ?", .text(model), .text(alias))
        guard db.changes > 0 else { throw Self.missingAlias(alias, model) }
        try AuditTrail.insert(audit, into: db)
      }
    } catch {
      throw storageError(error, "deleting alias \(alias) of \(model)")
    }
  }

  /// Returns the alias, or nil when the model has no alias of that name. An invalid alias is
  /// INVALID_ARGUMENT.
  public func alias(_ alias: String, of model: String) async throws(ServiceError) -> AliasRecord? {
    let alias = try AliasName.validated(alias)
    do {
      return try await store.read { db in try Self.alias(alias, of: model, in: db) }
    } catch {
      throw storageError(error, "reading alias \(alias) of \(model)")
    }
  }

  /// Returns every alias of `model` by name.
  public func aliases(of model: String) async throws(ServiceError) -> [AliasRecord] {
    do {
      return try await store.read { db in
        try db.query(
          "SELECT alias, version, previous_version FROM aliases WHERE model = ? ORDER BY alias",
          .text(model)
        ).map { row in
          AliasRecord(
            alias: row[0].string ?? "", version: row[1].int64 ?? 0,
            previousVersion: row[2].int64 ?? 0)
        }
      }
    } catch {
      throw storageError(error, "listing the aliases of \(model)")
    }
  }

  static func alias(_ alias: String, of model: String, in db: Database) throws -> AliasRecord? {
    guard
      let row = try db.queryOne(
        "SELECT version, previous_version FROM aliases WHERE model = ? AND alias = ?",
        .text(model), .text(alias))
    else { return nil }
    return AliasRecord(
      alias: alias, version: row[0].int64 ?? 0, previousVersion: row[1].int64 ?? 0)
  }

  /// The aliases that name one version, sorted.
  static func aliases(of key: VersionKey, in db: Database) throws -> [String] {
    try db.query(
      "SELECT alias FROM aliases WHERE model = ? AND version = ? ORDER BY alias",
      .text(key.model), .integer(key.version)
    ).compactMap { $0[0].string }
  }

  static func missingAlias(_ alias: String, _ model: String) -> ServiceError {
    .notFound("registered model \(model) has no alias \(alias); list the model's aliases")
  }

  /// The message for an alias set on a version that is not READY, with the fix for its status.
  static func aliasNeedsReady(_ alias: String, _ version: ModelVersionRecord) -> String {
    let fix =
      version.status == .pendingRegistration
      ? "upload its artifact first"
      : "create a new version, upload its artifact and point the alias there"
    return "alias \(alias) cannot name version \(version.version) of \(version.model), which is"
      + " \(version.status.name), because only a READY version takes an alias; \(fix)"
  }
}
