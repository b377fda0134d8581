import EdgecatCore
import EdgecatStore

extension PolicyModel {
  /// Reads the whole model and the change records of the last `capacity` revisions from `db`.
  static func load(from db: Database, capacity: Int) throws -> (PolicyModel, [ChangeRecord]) {
    var model = PolicyModel()
    let meta = try db.query("SELECT key, value FROM policy_meta")
    for row in meta {
      switch row[0].string {
      case "revision": model.revision = UInt64(row[1].string ?? "") ?? 0
      case "bootstrapped": model.isBootstrapped = row[1].string == "1"
      default: break
      }
    }

    // Built-in groups come first by rowid, so `account users` exists before anyone else.
    for row in try db.query("SELECT name, kind, created_at FROM principals ORDER BY rowid") {
      let kind = PrincipalKind(rawValue: row[1].string ?? "") ?? .user
      model.insertPrincipal(
        name: row[0].string ?? "", kind: kind, createdAt: row[2].double ?? 0)
    }
    for row in try db.query("SELECT group_name, member FROM memberships") {
      guard let group = model.principalIDs[row[0].string ?? ""],
        let member = model.principalIDs[row[1].string ?? ""]
      else { continue }
      model.principals[Int(member)]!.directGroups.append(group)
    }
    model.recomputeClosures()
    for row in try db.query("SELECT principal, key, value FROM principal_attributes") {
      guard let id = model.principalIDs[row[0].string ?? ""] else { continue }
      model.principals[Int(id)]!.attributes[row[1].string ?? ""] = row[2].string ?? ""
    }

    try loadSecurables(db, into: &model)
    try loadTokens(db, into: &model)
    try loadBindings(db, into: &model)

    let oldest = model.revision > UInt64(capacity) ? model.revision - UInt64(capacity) : 0
    let changes = try db.query(
      "SELECT revision, kind, principal, securable FROM changes WHERE revision > ?"
        + " ORDER BY revision, rowid", .integer(Int64(oldest))
    ).map { row in
      ChangeRecord(
        revision: UInt64(row[0].int64 ?? 0),
        kind: ChangeKind(rawValue: row[1].string ?? "") ?? .grantsChanged,
        principal: row[2].string, securable: row[3].string)
    }
    return (model, changes)
  }

  private static func loadSecurables(_ db: Database, into model: inout PolicyModel) throws {
    let rows = try db.query(
      "SELECT full_name, type, owner, created_at, columns, function_parameters,"
        + " function_return_type, function_body FROM securables")
    let parsed = rows.map { row in
      (name: SecurableName(validatedParts: splitName(row[0].string ?? "")), row: row)
    }
    // Parents before children: sort by the number of name parts.
    for (name, row) in parsed.sorted(by: { $0.name.parts.count < $1.name.parts.count }) {
      let type = (try? SecurableType.named(row[1].string ?? "")) ?? .table
      let owner = model.principalIDs[row[2].string ?? ""] ?? model.adminsID
      let parent = name.parent.flatMap { model.securableIDs[$0.fullName] } ?? -1
      var function: FunctionDefinition?
      if let body = row[7].string {
        function = FunctionDefinition(
          parameters: PolicySchema.decodeParameters(row[5].string ?? ""),
          returnType: row[6].string, body: body)
      }
      model.insertSecurable(
        type: type, name: name, parent: parent, owner: owner, createdAt: row[3].double ?? 0,
        function: function, columns: PolicySchema.decodeList(row[4].string ?? ""))
    }
    for row in try db.query("SELECT securable, principal, privilege FROM grants") {
      guard let id = model.securableIDs[row[0].string ?? ""],
        let principal = model.principalIDs[row[1].string ?? ""],
        let privilege = Privilege(rawValue: row[2].string ?? "")
      else { continue }
      model.securables[Int(id)]!.grants[principal, default: []].insert(privilege)
    }
  }

  private static func loadTokens(_ db: Database, into model: inout PolicyModel) throws {
    let rows = try db.query(
      "SELECT id, principal, token_hash, description, created_at, expires_at, revoked_at"
        + " FROM tokens")
    for row in rows {
      guard let principal = model.principalIDs[row[1].string ?? ""] else { continue }
      let entry = TokenEntry(
        id: row[0].string ?? "", principal: principal, hash: row[2].string ?? "",
        createdAt: row[4].double ?? 0, expiresAt: row[5].double, revokedAt: row[6].double,
        description: row[3].string ?? "")
      model.tokensByHash[entry.hash] = entry
      model.tokenHashesByID[entry.id] = entry.hash
    }
  }

  private static func loadBindings(_ db: Database, into model: inout PolicyModel) throws {
    for row in try db.query("SELECT table_name, function_name, columns FROM row_filters") {
      guard let table = model.securableIDs[row[0].string ?? ""],
        let function = model.securableIDs[row[1].string ?? ""]
      else { continue }
      model.rowFilters[table] = RowFilterBinding(
        function: function, columns: PolicySchema.decodeList(row[2].string ?? ""))
    }
    let masks = try db.query(
      "SELECT table_name, column_name, function_name, extra_columns FROM column_masks")
    for row in masks {
      guard let table = model.securableIDs[row[0].string ?? ""],
        let function = model.securableIDs[row[2].string ?? ""]
      else { continue }
      model.columnMasks[table, default: [:]][row[1].string ?? ""] = ColumnMaskBinding(
        function: function, extraColumns: PolicySchema.decodeList(row[3].string ?? ""))
    }
  }

  private static func splitName(_ text: String) -> [String] {
    text.isEmpty
      ? []
      : text.split(separator: ".", omittingEmptySubsequences: false).map {
        String($0)
      }
  }
}
