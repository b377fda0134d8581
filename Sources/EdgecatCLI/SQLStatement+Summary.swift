import EdgecatProto

extension SQLStatement {
  /// The statement in full, for JSON output: a SELECT as it is sent, any other statement as
  /// `summary` writes it.
  var fullText: String {
    if case .query(let sql) = self { return sql }
    return summary
  }

  /// The statement in short canonical form, for progress lines, such as
  /// `GRANT USE_CATALOG ON CATALOG production TO data-engineers`. A SELECT is cut to its first
  /// line of at most 80 characters.
  var summary: String {
    switch self {
    case .createCatalog(let name, _, let ifNotExists):
      return "CREATE CATALOG \(ifNotExists ? "IF NOT EXISTS " : "")\(name)"
    case .createSchema(let catalog, let name, _, _, let ifNotExists):
      return "CREATE SCHEMA \(ifNotExists ? "IF NOT EXISTS " : "")\(catalog).\(name)"
    case .createTable(let table):
      let prefix = table.ifNotExists ? "IF NOT EXISTS " : ""
      return "CREATE TABLE \(prefix)\(table.name.joined(separator: "."))"
    case .createFunction(let function):
      let prefix = function.ifNotExists ? "IF NOT EXISTS " : ""
      return "CREATE FUNCTION \(prefix)\(function.name.joined(separator: "."))"
    case .createVolume(let name, _, _, let ifNotExists):
      return "CREATE VOLUME \(ifNotExists ? "IF NOT EXISTS " : "")\(name.joined(separator: "."))"
    case .grant(let change):
      return "GRANT \(change.privileges.joined(separator: ", ")) ON \(change.target) TO"
        + " \(quoted(change.principal))"
    case .revoke(let change):
      return "REVOKE \(change.privileges.joined(separator: ", ")) ON \(change.target) FROM"
        + " \(quoted(change.principal))"
    case .setRowFilter(let table, let function, let columns):
      return "ALTER TABLE \(table) SET ROW FILTER \(function) ON"
        + " (\(columns.joined(separator: ", ")))"
    case .dropRowFilter(let table):
      return "ALTER TABLE \(table) DROP ROW FILTER"
    case .setColumnMask(let table, let column, let function, let using):
      let suffix = using.isEmpty ? "" : " USING COLUMNS (\(using.joined(separator: ", ")))"
      return "ALTER TABLE \(table) ALTER COLUMN \(column) SET MASK \(function)\(suffix)"
    case .dropColumnMask(let table, let column):
      return "ALTER TABLE \(table) ALTER COLUMN \(column) DROP MASK"
    case .setOwner(let type, let name, let owner):
      return
        "ALTER \(SecurableTypes.displayName(type).uppercased()) \(name) OWNER TO \(quoted(owner))"
    case .showGrants(let type, let name, let principal):
      let who = principal.map { " \(quoted($0))" } ?? ""
      return "SHOW GRANTS\(who) ON \(SQLPrivilegeChange.target(type, name))"
    case .query(let sql):
      // The first line, which names the query well enough in progress lines.
      let line = sql.split(separator: "\n").first.map(String.init) ?? sql
      return line.count > 80 ? String(line.prefix(77)) + "..." : line
    case .drop(let type, let name, let ifExists, let cascade):
      return "DROP \(SecurableTypes.displayName(type).uppercased()) \(ifExists ? "IF EXISTS " : "")"
        + name + (cascade ? " CASCADE" : "")
    }
  }
}

/// Returns a principal in backquotes, as SQL writes names such as `data-engineers`.
private func quoted(_ principal: String) -> String {
  "`" + principal.replacing("`", with: "``") + "`"
}

extension SQLPrivilegeChange {
  /// The securable as SQL writes it, such as `CATALOG production` or `METASTORE`.
  var target: String { Self.target(type, name) }

  static func target(_ type: Edgecat_Policy_V1_SecurableType, _ name: String) -> String {
    let word = SecurableTypes.displayName(type).uppercased()
    return name.isEmpty ? word : "\(word) \(name)"
  }
}
