extension SQLParser {
  /// CREATE FUNCTION [IF NOT EXISTS] name (param TYPE, ...) [RETURNS type] [COMMENT 'text']
  /// [LANGUAGE SQL] [[NOT] DETERMINISTIC] RETURN expression. The expression runs to the end
  /// of the statement and is sent as written.
  static func createFunction(_ cursor: inout SQLCursor) throws -> SQLStatement {
    var function = SQLCreateFunction(name: [])
    function.ifNotExists = ifNotExists(&cursor)
    function.name = try cursor.name(parts: 3, kind: "function")
    let fullName = function.name.joined(separator: ".")
    function.parameters = try cursor.parenthesized("of parameters of \(fullName)") { cursor in
      let name = try cursor.identifier("a parameter name")
      let type = try type(&cursor, of: "parameter \(name)")
      if cursor.accept("COMMENT") { _ = try cursor.string("the parameter's comment") }
      if cursor.isNext("DEFAULT") {
        throw cursor.error("parameter defaults are not supported; drop DEFAULT from \(name)")
      }
      return (name, type)
    }
    while !cursor.atEnd, !cursor.isNext("RETURN") {
      if cursor.accept("RETURNS") {
        if cursor.isNext("TABLE") {
          throw cursor.error("table functions are not supported; return a single value")
        }
        function.returnType = try type(&cursor, of: "the result of \(fullName)")
      } else if cursor.accept("COMMENT") {
        function.comment = try cursor.string("the comment as a string")
      } else if cursor.accept("LANGUAGE") {
        try cursor.expect("SQL", context: "after LANGUAGE; only SQL functions are supported")
      } else if cursor.accept("DETERMINISTIC") || cursor.accept("NOT", "DETERMINISTIC")
        || cursor.accept("CONTAINS", "SQL")
      {
        // Characteristics that do not change what the catalog stores.
      } else {
        throw cursor.unexpected("RETURNS, COMMENT or RETURN")
      }
    }
    try cursor.expect("RETURN", context: "before the body of \(fullName)")
    let body = cursor.tokens[cursor.index...]
    guard !body.isEmpty else {
      throw cursor.error("CREATE FUNCTION \(fullName) needs an expression after RETURN")
    }
    // NOTE: the body keeps string literals as written, so a Spark backslash escape such as
    // 'it\'s' reaches the catalog's SQLite parser unchanged and fails there; write 'it''s'.
    function.body = cursor.source.text(of: body)
    return .createFunction(function)
  }
}
