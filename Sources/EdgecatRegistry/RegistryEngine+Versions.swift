import EdgecatCore
import EdgecatStore

extension RegistryEngine {
  /// Creates the next version of `model` as PENDING_REGISTRATION, with its audit event. The
  /// number is one above the highest ever given to a version of the model, from the model's
  /// counter row, which the same transaction creates for a model's first version. Concurrent
  /// creates get distinct numbers because the store runs writes one at a time.
  public func createVersion(
    of model: String, _ request: CreateModelVersionRequest, createdBy: String,
    audit: AuditRecord
  ) async throws(ServiceError) -> ModelVersionRecord {
    var details = try VersionDetails.validated(request)
    details.modelFullName = model
    let stored = details
    let now = clock()
    do {
      return try await store.write { db in
        try db.execute(
          "INSERT INTO models (full_name, last_version, created_at) VALUES (?, 0, ?)"
            + " ON CONFLICT (full_name) DO NOTHING", .text(model), .real(now))
        let rows = try db.query(
          "UPDATE models SET last_version = last_version + 1 WHERE full_name = ?"
            + " RETURNING last_version", .text(model))
        guard let number = rows.first?[0].int64 else {
          throw ServiceError(code: .internal, message: "the version counter of \(model) is missing")
        }
        var record = ModelVersionRecord(
          model: model, version: number, details: stored, createdBy: createdBy, at: now)
        record.details.version = number
        try Self.insert(record, into: db)
        try AuditTrail.insert(audit.adding("version", String(number)), into: db)
        return record
      }
    } catch {
      throw storageError(error, "creating a version of \(model)")
    }
  }

  /// Returns one version with its aliases, or nil when it does not exist.
  public func version(_ model: String, _ number: Int64) async throws(ServiceError)
    -> ModelVersionRecord?
  {
    do {
      return try await store.read { db in try Self.version(model, number, in: db) }
    } catch {
      throw storageError(error, "reading version \(number) of \(model)")
    }
  }

  /// Returns a page of the model's versions by number, with their aliases. A bad page size or
  /// token is INVALID_ARGUMENT.
  public func versions(of model: String, pageSize: Int, pageToken: String)
    async throws(ServiceError) -> (versions: [ModelVersionRecord], nextPageToken: String)
  {
    let limit = try Paging.limit(pageSize)
    let list = "versions"
    let cursor = try Paging.cursor(in: pageToken, list: list)
    let after = try cursor.map { text throws(ServiceError) in
      guard let number = Int64(text) else {
        throw .invalidArgument("page_token is malformed; pass the next_page_token unchanged")
      }
      return number
    }
    let records: [ModelVersionRecord]
    do {
      records = try await store.read { db in
        let rows = try db.query(
          "SELECT \(ModelVersionRecord.columns) FROM model_versions WHERE model = ? AND"
            + " version > ? ORDER BY version LIMIT ?", .text(model), .integer(after ?? 0),
          .integer(Int64(limit + 1)))
        return try rows.compactMap(ModelVersionRecord.init(row:)).map { record in
          var record = record
          record.aliases = try Self.aliases(of: record.key, in: db)
          return record
        }
      }
    } catch {
      throw storageError(error, "listing the versions of \(model)")
    }
    guard records.count > limit else { return (records, "") }
    let page = Array(records.prefix(limit))
    return (page, Paging.token(list: list, cursor: String(page[limit - 1].version)))
  }

  /// Returns the highest READY version of `model`, or nil when it has none.
  public func latestReadyVersion(of model: String) async throws(ServiceError) -> Int64? {
    do {
      return try await store.read { db in
        try db.queryOne(
          "SELECT max(version) FROM model_versions WHERE model = ? AND status = ?",
          .text(model), .integer(ModelVersionStatus.ready.rawValue))?[0].int64
      }
    } catch {
      throw storageError(error, "finding the latest version of \(model)")
    }
  }

  static func version(_ model: String, _ number: Int64, in db: Database) throws
    -> ModelVersionRecord?
  {
    guard
      let row = try db.queryOne(
        "SELECT \(ModelVersionRecord.columns) FROM model_versions WHERE model = ? AND"
          + " version = ?", .text(model), .integer(number))
    else { return nil }
    guard var record = ModelVersionRecord(row: row) else {
      throw ServiceError(code: .internal, message: "version \(number) of \(model) is damaged")
    }
    record.aliases = try aliases(of: record.key, in: db)
    return record
  }

  /// Returns the version or throws NOT_FOUND naming it.
  static func requireVersion(_ model: String, _ number: Int64, in db: Database) throws
    -> ModelVersionRecord
  {
    guard let record = try version(model, number, in: db) else {
      throw ServiceError.notFound(
        "version \(number) of registered model \(model) does not exist; list the versions to"
          + " see which do")
    }
    return record
  }

  static func insert(_ record: ModelVersionRecord, into db: Database) throws {
    try db.execute(
      "INSERT INTO model_versions (\(ModelVersionRecord.columns))"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      .text(record.model), .integer(record.version), .integer(record.status.rawValue),
      .text(record.statusMessage),
      record.artifactSHA256.isEmpty ? .null : .text(record.artifactSHA256),
      .integer(record.artifactSize), .blob(record.details.serializedBytes()),
      SQLValue(record.rolledBackAt), .text(record.rollbackCause), .text(record.createdBy),
      .real(record.createdAt), .real(record.updatedAt))
  }
}

extension AuditRecord {
  /// Returns the event with one more parameter, for values known only inside the write.
  func adding(_ key: String, _ value: String) -> AuditRecord {
    var event = self
    let pair = encodeJSONObject([(key, value)]).dropFirst()
    event.parameters = parameters == "{}" ? "{" + pair : parameters.dropLast() + "," + pair
    return event
  }
}
