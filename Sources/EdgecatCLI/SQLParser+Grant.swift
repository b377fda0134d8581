import EdgecatProto

extension SQLParser {
  /// GRANT privileges ON securable TO principal, or REVOKE ... FROM principal. Privileges
  /// are written with spaces, as Spark SQL does (USE CATALOG), or with underscores.
  static func privilegeChange(_ cursor: inout SQLCursor) throws -> SQLStatement {
    let isGrant = cursor.accept("GRANT")
    if !isGrant { try cursor.expect("REVOKE", context: "") }
    let verb = isGrant ? "GRANT" : "REVOKE"
    var privileges: [String] = []
    repeat {
      var words: [String] = []
      while let token = cursor.peek(), token.kind == .word, !token.isKeyword("ON") {
        words.append(token.text)
        _ = cursor.next()
      }
      guard !words.isEmpty else { throw cursor.unexpected("a privilege such as USE CATALOG") }
      privileges.append(Privileges.normalize(words.joined(separator: " ")))
    } while cursor.acceptSymbol(",")
    try cursor.expect("ON", context: "after the privileges of \(verb)")
    let (type, name) = try securable(&cursor, after: "ON")
    try cursor.expect(isGrant ? "TO" : "FROM", context: "before the principal")
    let principal = try cursor.principal()
    try cursor.expectEnd("the principal of \(verb)")
    let change = SQLPrivilegeChange(
      privileges: privileges, type: type, name: name, principal: principal)
    return isGrant ? .grant(change) : .revoke(change)
  }

  /// SHOW GRANTS [principal] ON securable.
  static func showGrants(_ cursor: inout SQLCursor) throws -> SQLStatement {
    try cursor.expect("SHOW", "GRANTS", context: "")
    var principal: String?
    if !cursor.isNext("ON") { principal = try cursor.principal() }
    try cursor.expect("ON", context: "in SHOW GRANTS")
    let (type, name) = try securable(&cursor, after: "ON")
    try cursor.expectEnd("SHOW GRANTS")
    return .showGrants(type: type, name: name, principal: principal)
  }

  /// Reads a securable type and its name, such as `CATALOG production` or `METASTORE`.
  static func securable(_ cursor: inout SQLCursor, after word: String) throws -> (
    Edgecat_Policy_V1_SecurableType, String
  ) {
    guard let type = securableType(&cursor) else {
      throw cursor.unexpected(
        "a securable type after \(word): METASTORE, CATALOG, SCHEMA, TABLE, VIEW, VOLUME,"
          + " FUNCTION or MODEL")
    }
    return (type, try securableName(&cursor, type: type))
  }
}
