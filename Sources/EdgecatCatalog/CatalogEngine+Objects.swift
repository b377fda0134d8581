import EdgecatCore
import EdgecatStore

extension CatalogEngine {
  /// Inserts a new object with its audit event in one transaction. The parent must exist and
  /// not be in a drop; a taken name of any kind is ALREADY_EXISTS naming the existing kind.
  /// With `ifNotExists`, an existing object of the same kind that is not being dropped is
  /// returned instead, and only the audit event is written. Nil means the object was inserted.
  /// The existing row is read in the write transaction, because a concurrent create of the
  /// name may be staged in the same group commit, which readers do not see yet.
  @discardableResult
  public func insert(
    _ object: CatalogObject, audit: AuditRecord, ifNotExists: Bool = false
  ) async throws(ServiceError) -> CatalogObject? {
    let existing: CatalogObject?
    do {
      existing = try await store.write { db in
        try Self.requireParent(of: object, in: db)
        if let row = try db.queryOne(
          "SELECT \(CatalogObject.columns), state FROM objects WHERE full_name = ?",
          .text(object.fullName))
        {
          if ifNotExists, row[9].int64 == 0, let existing = CatalogObject(row: row),
            existing.kind == object.kind
          {
            try AuditTrail.insert(audit, into: db)
            return existing
          }
          let existingKind = ObjectKind(rawValue: row[0].string ?? "")
          let kind = existingKind?.displayName ?? "object"
          if existingKind == object.kind {
            throw ServiceError.alreadyExists(
              "\(object.kind.displayName) \(object.fullName) already exists; choose another"
                + " name, or set if_not_exists to accept the existing one")
          }
          throw ServiceError.alreadyExists(
            "\(object.kind.displayName) \(object.fullName) cannot be created: a \(kind) of"
              + " that name exists, and names are unique across kinds within a schema;"
              + " choose another name")
        }
        try db.execute(
          "INSERT INTO objects (kind, full_name, catalog_name, schema_name, name, parent, owner,"
            + " hosted_by, details, created_at, created_by, updated_at, updated_by)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          .text(object.kind.rawValue), .text(object.fullName), .text(object.catalogName),
          .text(object.schemaName), .text(object.shortName), .text(object.parentName),
          .text(object.owner), .text(object.hostedBy), .blob(object.details),
          .real(object.createdAt), .text(object.createdBy), .real(object.updatedAt),
          .text(object.updatedBy))
        try AuditTrail.insert(audit, into: db)
        return nil
      }
    } catch let error as StoreError where error.isConstraintViolation {
      throw .alreadyExists(
        "\(object.kind.displayName) \(object.fullName) already exists; choose another name")
    } catch {
      throw storageError(error, "creating \(object.fullName)")
    }
    guard existing == nil else { return existing }
    cache.invalidate([object.fullName])
    if object.kind == .catalog { rememberEnvironments(of: object) }
    return nil
  }

  private static func requireParent(of object: CatalogObject, in db: Database) throws {
    guard object.kind.depth > 1 else { return }
    let parentKind: ObjectKind = object.kind.depth == 2 ? .catalog : .schema
    guard
      let row = try db.queryOne(
        "SELECT kind FROM objects WHERE full_name = ? AND state = 0", .text(object.parentName)),
      row[0].string == parentKind.rawValue
    else {
      throw ServiceError.notFound(
        "\(parentKind.displayName) \(object.parentName) does not exist; create it before"
          + " \(object.kind.displayName) \(object.fullName)")
    }
  }

  /// Returns the object named `fullName`, or nil when there is none or it is being dropped.
  /// Served from memory when read before and unchanged since.
  public func object(_ fullName: String) async throws(ServiceError) -> CatalogObject? {
    let (cached, generation) = cache.lookup(fullName)
    if let cached { return cached }
    let object: CatalogObject?
    do {
      let row = try await store.read { db in
        try db.queryOne(
          "SELECT \(CatalogObject.columns) FROM objects WHERE full_name = ? AND state = 0",
          .text(fullName))
      }
      object = row.flatMap(CatalogObject.init(row:))
    } catch {
      throw storageError(error, "reading \(fullName)")
    }
    if let object { cache.store(object, readAt: generation) }
    return object
  }

  /// Returns up to `limit` objects under `parent` (empty for the catalogs) whose kind is in
  /// `kinds`, by name, starting after the name `after`.
  public func children(
    of parent: String, kinds: [ObjectKind], after: String?, limit: Int
  ) async throws(ServiceError) -> [CatalogObject] {
    let placeholders = kinds.map { _ in "?" }.joined(separator: ", ")
    var values: [SQLValue] = [.text(parent), .text(after ?? "")]
    values += kinds.map { .text($0.rawValue) }
    values.append(.integer(Int64(limit)))
    let sql =
      "SELECT \(CatalogObject.columns) FROM objects WHERE parent = ? AND name > ? AND state = 0"
      + " AND kind IN (\(placeholders)) ORDER BY name LIMIT ?"
    return try await objects(sql, values, operation: "listing \(parent)")
  }

  /// Returns up to `limit` objects of `kind` in every schema, by full name, after `after`.
  public func objects(
    ofKind kind: ObjectKind, after: String?, limit: Int
  ) async throws(ServiceError) -> [CatalogObject] {
    try await objects(
      "SELECT \(CatalogObject.columns) FROM objects WHERE kind = ? AND full_name > ?"
        + " AND state = 0 ORDER BY full_name LIMIT ?",
      [.text(kind.rawValue), .text(after ?? ""), .integer(Int64(limit))],
      operation: "listing \(kind.displayName)s")
  }

  /// Returns every object, those being dropped included, for the reconcile pass.
  public func allObjects() async throws(ServiceError) -> [(CatalogObject, dropping: Bool)] {
    do {
      let rows = try await store.read { db in
        try db.query(
          "SELECT \(CatalogObject.columns), state FROM objects ORDER BY length(full_name) -"
            + " length(replace(full_name, '.', '')), full_name")
      }
      return rows.compactMap { row in
        CatalogObject(row: row).map { ($0, dropping: row[9].int64 == 1) }
      }
    } catch {
      throw storageError(error, "listing every object")
    }
  }

  private func objects(
    _ sql: String, _ values: [SQLValue], operation: String
  ) async throws(ServiceError) -> [CatalogObject] {
    do {
      let rows = try await store.read { db in try db.query(sql, values) }
      return rows.compactMap(CatalogObject.init(row:))
    } catch {
      throw storageError(error, operation)
    }
  }

  /// Stores a changed owner, hosting service or details with the audit event. NOT_FOUND when
  /// the object was dropped meanwhile.
  public func update(_ object: CatalogObject, audit: AuditRecord) async throws(ServiceError) {
    do {
      try await store.write { db in
        try db.execute(
          "UPDATE objects SET owner = ?, hosted_by = ?, details = ?, updated_at = ?,"
            + " updated_by = ? WHERE full_name = ? AND state = 0",
          .text(object.owner), .text(object.hostedBy), .blob(object.details),
          .real(object.updatedAt), .text(object.updatedBy), .text(object.fullName))
        guard db.changes == 1 else {
          throw ServiceError.notFound(
            "\(object.kind.displayName) \(object.fullName) was dropped during the update")
        }
        try AuditTrail.insert(audit, into: db)
      }
    } catch {
      throw storageError(error, "updating \(object.fullName)")
    }
    cache.invalidate([object.fullName])
    if object.kind == .catalog { rememberEnvironments(of: object) }
  }

  private func rememberEnvironments(of catalog: CatalogObject) {
    let info = try? CatalogDetails.catalog(catalog.details)
    setEnvironments(info?.environments ?? [], ofCatalog: catalog.fullName)
  }
}
