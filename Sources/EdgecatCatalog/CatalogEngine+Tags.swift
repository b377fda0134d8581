import EdgecatCore
import EdgecatStore

extension CatalogEngine {
  /// The maximum length of a tag key, in characters.
  public static let maximumTagKeyLength = 255
  /// The maximum length of a tag value, in characters.
  public static let maximumTagValueLength = 1000

  /// Sets `key` on a securable to `value`, replacing an earlier value, with the audit event.
  public func setTag(
    on fullName: String, key: String, value: String, audit: AuditRecord
  ) async throws(ServiceError) {
    try Self.validateTag(key: key, value: value)
    do {
      try await store.write { db in
        try db.execute(
          "INSERT INTO tags (full_name, key, value) VALUES (?, ?, ?)"
            + " ON CONFLICT (full_name, key) DO UPDATE SET value = excluded.value",
          .text(fullName), .text(key), .text(value))
        try AuditTrail.insert(audit, into: db)
      }
    } catch {
      throw storageError(error, "setting tag \(key) on \(fullName)")
    }
  }

  /// Deletes a tag; deleting a key that is not set changes nothing and succeeds.
  public func deleteTag(
    on fullName: String, key: String, audit: AuditRecord
  ) async throws(ServiceError) {
    do {
      try await store.write { db in
        try db.execute(
          "DELETE FROM tags WHERE full_name = ? AND key = ?", .text(fullName), .text(key))
        try AuditTrail.insert(audit, into: db)
      }
    } catch {
      throw storageError(error, "deleting tag \(key) on \(fullName)")
    }
  }

  /// Returns the tags of a securable by key.
  public func tags(of fullName: String) async throws(ServiceError) -> [(key: String, value: String)]
  {
    do {
      let rows = try await store.read { db in
        try db.query(
          "SELECT key, value FROM tags WHERE full_name = ? ORDER BY key", .text(fullName))
      }
      return rows.map { (key: $0[0].string ?? "", value: $0[1].string ?? "") }
    } catch {
      throw storageError(error, "listing the tags of \(fullName)")
    }
  }

  static func validateTag(key: String, value: String) throws(ServiceError) {
    guard !key.isEmpty, key.count <= maximumTagKeyLength else {
      throw .invalidArgument(
        "tag key '\(key)' has \(key.count) characters; use 1 to \(maximumTagKeyLength)")
    }
    guard value.count <= maximumTagValueLength else {
      throw .invalidArgument(
        "the value of tag '\(key)' has \(value.count) characters; the maximum is"
          + " \(maximumTagValueLength)")
    }
    for text in [key, value] {
      if let control = ControlCharacters.first(in: text) {
        throw .invalidArgument("tag '\(key)' contains control character \(control); remove it")
      }
    }
  }
}
