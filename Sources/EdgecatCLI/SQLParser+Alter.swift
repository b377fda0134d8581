import EdgecatProto

extension SQLParser {
  /// ALTER TABLE ... SET|DROP ROW FILTER, ALTER TABLE ... ALTER COLUMN ... SET|DROP MASK, and
  /// ALTER <type> name [SET] OWNER TO principal.
  static func alter(_ cursor: inout SQLCursor) throws -> SQLStatement {
    try cursor.expect("ALTER", context: "")
    guard let type = securableType(&cursor), type != .metastore else {
      throw unsupported(&cursor, words: 2)
    }
    let name = try securableName(&cursor, type: type)
    let statement = "ALTER \(SecurableTypes.displayName(type).uppercased()) \(name)"
    if cursor.accept("OWNER", "TO") || cursor.accept("SET", "OWNER", "TO") {
      let owner = try cursor.principal()
      try cursor.expectEnd("\(statement) OWNER TO")
      return .setOwner(type: type, name: name, owner: owner)
    }
    guard type == .table else {
      throw cursor.unexpected("OWNER TO after \(statement); edgecat sql supports \(supported)")
    }
    if cursor.accept("SET", "ROW", "FILTER") {
      let function = try cursor.name(parts: 3, kind: "function").joined(separator: ".")
      try cursor.expect("ON", context: "after the row filter function")
      let columns = try cursor.parenthesized("of filter columns") { cursor in
        try cursor.identifier("a column name")
      }
      try cursor.expectEnd("SET ROW FILTER")
      return .setRowFilter(table: name, function: function, columns: columns)
    }
    if cursor.accept("DROP", "ROW", "FILTER") {
      try cursor.expectEnd("DROP ROW FILTER")
      return .dropRowFilter(table: name)
    }
    guard cursor.accept("ALTER") || cursor.accept("CHANGE") else {
      throw cursor.unexpected(
        "SET ROW FILTER, DROP ROW FILTER, ALTER COLUMN or OWNER TO after \(statement)")
    }
    _ = cursor.accept("COLUMN")
    let column = try cursor.identifier("a column name")
    if cursor.accept("SET", "MASK") {
      let function = try cursor.name(parts: 3, kind: "function").joined(separator: ".")
      var using: [String] = []
      if cursor.accept("USING", "COLUMNS") {
        using = try cursor.parenthesized("of USING COLUMNS") { cursor in
          try cursor.identifier("a column name")
        }
      }
      try cursor.expectEnd("SET MASK")
      return .setColumnMask(table: name, column: column, function: function, usingColumns: using)
    }
    if cursor.accept("DROP", "MASK") {
      try cursor.expectEnd("DROP MASK")
      return .dropColumnMask(table: name, column: column)
    }
    throw cursor.unexpected("SET MASK or DROP MASK after ALTER COLUMN \(column)")
  }

  /// DROP <type> [IF EXISTS] name [CASCADE | RESTRICT]; CASCADE applies to catalogs and
  /// schemas, whose contents it drops too.
  static func drop(_ cursor: inout SQLCursor) throws -> SQLStatement {
    try cursor.expect("DROP", context: "")
    guard let type = securableType(&cursor), type != .metastore else {
      throw unsupported(&cursor, words: 2)
    }
    if type == .registeredModel {
      throw cursor.error(
        "DROP MODEL needs the model registry (edgecat-registry), which this version does not"
          + " include")
    }
    let ifExists = cursor.accept("IF", "EXISTS")
    let name = try securableName(&cursor, type: type)
    var cascade = false
    if cursor.accept("CASCADE") {
      guard type == .catalog || type == .schema else {
        throw cursor.error(
          "CASCADE applies to DROP CATALOG and DROP SCHEMA only; remove it")
      }
      cascade = true
    } else {
      _ = cursor.accept("RESTRICT")
    }
    try cursor.expectEnd("DROP \(SecurableTypes.displayName(type).uppercased()) \(name)")
    return .drop(type: type, name: name, ifExists: ifExists, cascade: cascade)
  }
}
