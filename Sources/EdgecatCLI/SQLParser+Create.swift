extension SQLParser {
  /// CREATE CATALOG, SCHEMA, TABLE, FUNCTION or VOLUME.
  static func create(_ cursor: inout SQLCursor) throws -> SQLStatement {
    try cursor.expect("CREATE", context: "")
    if cursor.isNext("OR", "REPLACE") {
      throw cursor.error(
        "CREATE OR REPLACE is not supported, because the catalog does not replace objects;"
          + " DROP the object and CREATE it again")
    }
    if cursor.isNext("TEMPORARY") || cursor.isNext("TEMP") {
      throw cursor.error("temporary objects are not supported; drop TEMPORARY")
    }
    let external = cursor.accept("EXTERNAL")
    if cursor.accept("CATALOG") { return try createCatalog(&cursor) }
    if cursor.accept("SCHEMA") || cursor.accept("DATABASE") { return try createSchema(&cursor) }
    if cursor.accept("TABLE") { return try createTable(&cursor, external: external) }
    if cursor.accept("FUNCTION") { return try createFunction(&cursor) }
    if cursor.accept("VOLUME") { return try createVolume(&cursor, external: external) }
    throw unsupported(&cursor, words: external ? 3 : 2)
  }

  static func ifNotExists(_ cursor: inout SQLCursor) -> Bool {
    cursor.accept("IF", "NOT", "EXISTS")
  }

  static func createCatalog(_ cursor: inout SQLCursor) throws -> SQLStatement {
    let ifNotExists = ifNotExists(&cursor)
    let name = try cursor.name(parts: 1, kind: "catalog")[0]
    var comment = ""
    if cursor.accept("COMMENT") { comment = try cursor.string("the comment as a string") }
    try cursor.expectEnd("CREATE CATALOG \(name)")
    return .createCatalog(name: name, comment: comment, ifNotExists: ifNotExists)
  }

  static func createSchema(_ cursor: inout SQLCursor) throws -> SQLStatement {
    let ifNotExists = ifNotExists(&cursor)
    let name = try cursor.name(parts: 2, kind: "schema")
    var comment = ""
    var properties: [String: String] = [:]
    while !cursor.atEnd {
      if cursor.accept("COMMENT") {
        comment = try cursor.string("the comment as a string")
      } else if cursor.accept("WITH", "DBPROPERTIES") || cursor.accept("DBPROPERTIES") {
        properties = try self.properties(&cursor)
      } else {
        throw cursor.unexpected("COMMENT or WITH DBPROPERTIES")
      }
    }
    return .createSchema(
      catalog: name[0], name: name[1], comment: comment, properties: properties,
      ifNotExists: ifNotExists)
  }

  /// CREATE [EXTERNAL] VOLUME [IF NOT EXISTS] name [LOCATION 'path'] [COMMENT 'text'].
  static func createVolume(_ cursor: inout SQLCursor, external: Bool) throws -> SQLStatement {
    let ifNotExists = ifNotExists(&cursor)
    let name = try cursor.name(parts: 3, kind: "volume")
    var location: String?
    var comment = ""
    while !cursor.atEnd {
      if cursor.accept("LOCATION") {
        location = try cursor.string("the location as a string")
      } else if cursor.accept("COMMENT") {
        comment = try cursor.string("the comment as a string")
      } else {
        throw cursor.unexpected("LOCATION or COMMENT")
      }
    }
    if external && location == nil {
      throw cursor.error("an EXTERNAL VOLUME needs LOCATION 'path'")
    }
    return .createVolume(name: name, location: location, comment: comment, ifNotExists: ifNotExists)
  }

  /// Reads `( key = value, ... )`; keys are strings or dotted words, values strings, numbers
  /// or words such as true, and the `=` may be left out, as Spark SQL allows.
  static func properties(_ cursor: inout SQLCursor) throws -> [String: String] {
    let pairs = try cursor.parenthesized("of properties") { cursor -> (String, String) in
      var key: String
      if cursor.peek()?.kind == .string {
        key = try cursor.string("a property key")
      } else {
        key = try cursor.identifier("a property key")
        while cursor.acceptSymbol(".") { key += "." + (try cursor.identifier("a key part")) }
      }
      _ = cursor.acceptSymbol("=")
      guard let value = cursor.peek(), [.string, .number, .word].contains(value.kind) else {
        throw cursor.unexpected("the value of property \(key)")
      }
      _ = cursor.next()
      return (key, value.text)
    }
    return Dictionary(pairs, uniquingKeysWith: { _, last in last })
  }

  /// Reads a Spark SQL type such as STRING, DECIMAL(10, 2) or MAP<STRING, ARRAY<INT>>, as
  /// its tokens without spaces except between words.
  static func type(_ cursor: inout SQLCursor, of owner: String) throws -> String {
    guard let first = cursor.peek(), first.kind == .word else {
      throw cursor.unexpected("the type of \(owner)")
    }
    _ = cursor.next()
    var text = first.text
    var depth = 0
    while let token = cursor.peek() {
      let opens = token.isSymbol("(") || token.isSymbol("<")
      let closes = token.isSymbol(")") || token.isSymbol(">")
      if depth == 0 && !opens { break }
      if closes { depth -= 1 }
      if opens { depth += 1 }
      if token.kind == .word, let last = text.last, last.isLetter || last.isNumber {
        text += " "
      }
      text += token.text
      _ = cursor.next()
      if depth == 0 { break }
    }
    guard depth == 0 else { throw cursor.unexpected("the end of the type \(text)") }
    return text
  }
}
