import EdgecatCore
import EdgecatStore

extension CatalogEngine {
  /// Marks an object and everything under it as being dropped, so reads no longer see them,
  /// and returns their full names, the object's first. An object with children needs
  /// `force`, else FAILED_PRECONDITION. The caller then drops them in the policy service and
  /// calls `finishDrop`, or `cancelDrop` when that failed.
  public func beginDrop(
    _ fullName: String, kind: ObjectKind, force: Bool
  ) async throws(ServiceError) -> [String] {
    let names: [String]
    do {
      names = try await store.write { db in
        guard
          let row = try db.queryOne(
            "SELECT kind, catalog_name, schema_name FROM objects WHERE full_name = ?"
              + " AND state = 0", .text(fullName)),
          row[0].string == kind.rawValue
        else {
          throw ServiceError.notFound(
            "\(kind.displayName) \(fullName) does not exist; check the name")
        }
        let catalog = row[1].string ?? ""
        let schema = row[2].string ?? ""
        var descendants: [String] = []
        if kind == .catalog {
          descendants = try db.query(
            "SELECT full_name FROM objects WHERE catalog_name = ? AND full_name != ?"
              + " ORDER BY full_name", .text(catalog), .text(fullName)
          ).compactMap { $0[0].string }
        } else if kind == .schema {
          descendants = try db.query(
            "SELECT full_name FROM objects WHERE catalog_name = ? AND schema_name = ?"
              + " AND full_name != ? ORDER BY full_name", .text(catalog), .text(schema),
            .text(fullName)
          ).compactMap { $0[0].string }
        }
        if !descendants.isEmpty && !force {
          let noun = descendants.count == 1 ? "object" : "objects"
          throw ServiceError.failedPrecondition(
            "\(kind.displayName) \(fullName) is not empty: it contains \(descendants.count)"
              + " \(noun), such as \(descendants[0]); drop them first or set force")
        }
        let names = [fullName] + descendants
        for name in names {
          try db.execute("UPDATE objects SET state = 1 WHERE full_name = ?", .text(name))
        }
        return names
      }
    } catch {
      throw storageError(error, "dropping \(fullName)")
    }
    cache.invalidate(names)
    return names
  }

  /// Makes objects marked by `beginDrop` visible again.
  public func cancelDrop(_ names: [String]) async throws(ServiceError) {
    do {
      try await store.write { db in
        for name in names {
          try db.execute("UPDATE objects SET state = 0 WHERE full_name = ?", .text(name))
        }
      }
    } catch {
      throw storageError(error, "restoring \(names.first ?? "")")
    }
    cache.invalidate(names)
  }

  /// Deletes the objects, their tags and the lineage edges that touch them, with the audit
  /// event when one is given.
  public func finishDrop(_ names: [String], audit: AuditRecord?) async throws(ServiceError) {
    do {
      try await store.write { db in
        for name in names {
          try db.execute("DELETE FROM objects WHERE full_name = ?", .text(name))
          try db.execute("DELETE FROM tags WHERE full_name = ?", .text(name))
          try db.execute(
            "DELETE FROM lineage_edges WHERE source = ? OR target = ?", .text(name), .text(name))
          // The versions of a dropped model go with it. The prefix has no LIKE wildcard
          // because substr compares it exactly.
          let versions = "model-version:" + name + "/"
          try db.execute(
            "DELETE FROM lineage_edges WHERE substr(source, 1, ?) = ? OR substr(target, 1, ?) = ?",
            .integer(Int64(versions.utf8.count)), .text(versions),
            .integer(Int64(versions.utf8.count)), .text(versions))
        }
        if let audit { try AuditTrail.insert(audit, into: db) }
      }
    } catch {
      throw storageError(error, "dropping \(names.first ?? "")")
    }
    cache.invalidate(names)
    for name in names where !name.contains(".") { setEnvironments([], ofCatalog: name) }
  }
}
