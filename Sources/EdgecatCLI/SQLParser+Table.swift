extension SQLParser {
  /// CREATE [EXTERNAL] TABLE [IF NOT EXISTS] name (columns) followed by USING, PARTITIONED
  /// BY, COMMENT, TBLPROPERTIES and LOCATION clauses in any order, each at most once.
  static func createTable(_ cursor: inout SQLCursor, external: Bool) throws -> SQLStatement {
    var table = SQLCreateTable(name: [])
    table.ifNotExists = ifNotExists(&cursor)
    table.name = try cursor.name(parts: 3, kind: "table")
    let fullName = table.name.joined(separator: ".")
    if cursor.isNextSymbol("(") {
      table.columns = try cursor.parenthesized("of columns of \(fullName)") { cursor in
        try column(&cursor)
      }
    }
    var seen: Set<String> = []
    while let token = cursor.peek() {
      let clause = token.text.uppercased()
      guard !seen.contains(clause) else {
        throw cursor.error("\(clause) appears twice in CREATE TABLE \(fullName); keep one")
      }
      seen.insert(clause)
      switch clause {
      case "USING":
        _ = cursor.next()
        table.format = try cursor.identifier("a data format such as DELTA").uppercased()
      case "PARTITIONED":
        _ = cursor.next()
        try cursor.expect("BY", context: "after PARTITIONED")
        table.partitions = try partitionList(&cursor)
      case "COMMENT":
        _ = cursor.next()
        table.comment = try cursor.string("the comment as a string")
      case "TBLPROPERTIES":
        _ = cursor.next()
        table.properties = try properties(&cursor)
      case "LOCATION":
        _ = cursor.next()
        table.location = try cursor.string("the location as a string")
      case "AS":
        throw cursor.error(
          "CREATE TABLE ... AS SELECT needs the query service (edgecat-telemetry), which is not"
            + " available in this version; list the columns instead")
      default:
        throw cursor.unexpected(
          "USING, PARTITIONED BY, COMMENT, TBLPROPERTIES or LOCATION after the columns")
      }
    }
    if table.columns.isEmpty {
      throw cursor.error("CREATE TABLE \(fullName) needs its columns: (name TYPE, ...)")
    }
    if external && table.location == nil {
      throw cursor.error("an EXTERNAL TABLE needs LOCATION 'path'")
    }
    return .createTable(table)
  }

  /// Reads `name TYPE [NOT NULL] [COMMENT 'text']`.
  static func column(_ cursor: inout SQLCursor) throws -> SQLColumn {
    let name = try cursor.identifier("a column name")
    var column = SQLColumn(name: name, type: try type(&cursor, of: "column \(name)"))
    while let token = cursor.peek(), token.kind == .word {
      if cursor.accept("NOT", "NULL") {
        column.nullable = false
      } else if cursor.accept("COMMENT") {
        column.comment = try cursor.string("the comment of column \(name) as a string")
      } else {
        throw cursor.error(
          "column option \(token.text.uppercased()) of \(name) is not supported; use NOT NULL"
            + " or COMMENT")
      }
    }
    return column
  }

  /// Reads `( item, ... )` of PARTITIONED BY; each item is a column or a transform such as
  /// `date(timestamp)`, kept as written.
  static func partitionList(_ cursor: inout SQLCursor) throws -> [String] {
    try cursor.expectSymbol("(", context: "after PARTITIONED BY")
    var items: [String] = []
    var start = cursor.index
    var depth = 0
    while let token = cursor.next() {
      if token.isSymbol("(") { depth += 1 }
      if token.isSymbol(")") && depth > 0 {
        depth -= 1
        continue
      }
      guard depth == 0, token.isSymbol(",") || token.isSymbol(")") else { continue }
      let item = cursor.tokens[start..<(cursor.index - 1)]
      guard !item.isEmpty else { throw cursor.error("PARTITIONED BY has an empty item") }
      items.append(cursor.source.text(of: item))
      start = cursor.index
      if token.isSymbol(")") { return items }
    }
    throw cursor.unexpected("\")\" to close PARTITIONED BY")
  }
}
