import EdgecatProto

/// One statement of `edgecat sql`, parsed. Names are dotted full names as written.
enum SQLStatement: Sendable {
  case createCatalog(name: String, comment: String, ifNotExists: Bool)
  case createSchema(
    catalog: String, name: String, comment: String, properties: [String: String],
    ifNotExists: Bool)
  case createTable(SQLCreateTable)
  case createFunction(SQLCreateFunction)
  case createVolume(
    name: [String], location: String?, comment: String, ifNotExists: Bool)
  case grant(SQLPrivilegeChange)
  case revoke(SQLPrivilegeChange)
  case setRowFilter(table: String, function: String, columns: [String])
  case dropRowFilter(table: String)
  case setColumnMask(table: String, column: String, function: String, usingColumns: [String])
  case dropColumnMask(table: String, column: String)
  case setOwner(type: Edgecat_Policy_V1_SecurableType, name: String, owner: String)
  case showGrants(type: Edgecat_Policy_V1_SecurableType, name: String, principal: String?)
  case drop(type: Edgecat_Policy_V1_SecurableType, name: String, ifExists: Bool, cascade: Bool)
  /// A SELECT (or WITH ... SELECT) that the telemetry service runs, as written.
  case query(sql: String)
}

struct SQLCreateTable: Sendable {
  /// Catalog, schema and table.
  var name: [String]
  var columns: [SQLColumn] = []
  var format = ""
  var partitions: [String] = []
  var comment = ""
  var properties: [String: String] = [:]
  var location: String?
  var ifNotExists = false
}

struct SQLColumn: Sendable {
  var name: String
  var type: String
  var nullable = true
  var comment = ""
}

struct SQLCreateFunction: Sendable {
  /// Catalog, schema and function.
  var name: [String]
  var parameters: [(name: String, type: String)] = []
  var returnType = ""
  var comment = ""
  /// The expression after RETURN, as written.
  var body = ""
  var ifNotExists = false
}

struct SQLPrivilegeChange: Sendable {
  /// Upper snake case, such as USE_CATALOG.
  var privileges: [String]
  var type: Edgecat_Policy_V1_SecurableType
  /// Empty for the metastore.
  var name: String
  var principal: String
}

/// A statement with where it came from.
struct ParsedStatement: Sendable {
  let statement: SQLStatement
  let source: SQLSource
  let line: Int

  var location: String { source.location(line: line) }
}
