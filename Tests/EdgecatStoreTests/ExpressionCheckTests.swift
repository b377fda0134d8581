import EdgecatStore
import Testing

@Suite("Row filter and column mask expressions")
struct ExpressionCheckTests {
  /// The parameters of the functions under test.
  static let columns = ["ssn", "region", "name", "amount", "created"]
  /// The functions the catalog adds to SQLite.
  static let functions = [
    ExtraFunction(name: "current_user", argumentCount: 0),
    ExtraFunction(name: "is_account_group_member", argumentCount: 1),
    ExtraFunction(name: "current_user_attribute", argumentCount: 1),
    ExtraFunction(name: "current_user_region", argumentCount: 0),
    ExtraFunction(name: "if", argumentCount: 3),
  ]

  static func validate(_ expression: String) -> String? {
    ExpressionCheck.validate(expression, columns: columns, functions: functions)
  }

  static let validExpressions = [
    "CASE WHEN is_account_group_member('admins') THEN ssn ELSE '***' END",
    "region = current_user_region() OR is_account_group_member('global-admin')",
    "if(is_account_group_member('hr'), ssn, 'redacted')",
    "iif(amount > 100, 'high', 'low')",
    "current_user() = 'alice'",
    "coalesce(current_user_attribute('team'), 'none') = name",
    "lower(name) LIKE 'a%' ESCAPE '\\'",
    "'***-**-' || substr(ssn, 8, 4)",
    "round(abs(amount), 2) > 0.5",
    "max(amount, 0) + min(amount, 10, 20) > 1.5e3",
    "sqrt(amount) > 3 AND floor(amount) = amount",
    "region IN ('eu', 'us') AND region NOT IN ('cn')",
    "created > date('now', '-30 days') OR created < CURRENT_TIMESTAMP",
    "\"ssn\" IS NOT NULL AND [name] <> `region`",
    "name = 'it''s; -- not a comment' OR name = 'a.b'",
    "CAST(amount AS INTEGER) % 2 = 0 AND typeof(amount) = 'integer'",
    "printf('%s-%s', region, name) = format('%s-%s', region, name)",
    "region = 'eu'\n  AND NOT (amount BETWEEN 1 AND 10)",
    "0 AND ssn = 1",
    "x'00ff' = hex(ssn)",
    "CURRENT_DATE",
  ]

  @Test("valid expression accepted", arguments: validExpressions)
  func validAccepted(expression: String) {
    #expect(Self.validate(expression) == nil)
  }

  static let invalidExpressions: [(String, String)] = [
    // Empty text and parse errors.
    ("", "expression is empty"),
    ("  \n ", "expression is empty"),
    ("amount > > 1", "near \">\": syntax error (at character 10)"),
    ("region =", "invalid expression: it ends before it is complete"),
    ("ssn LIKE", "invalid expression: it ends before it is complete"),
    ("name = 'abc", "string literal starting at character 8 is not closed"),
    ("\"ssn = 1", "quoted identifier starting at character 1 is not closed"),
    ("(ssn, region)", "row value misused"),
    // Unknown names.
    ("salary > 1", "no such column: salary (at character 1); the parameters are ssn, region"),
    ("rowid = 1", "no such column: rowid"),
    ("oid > 0", "no such column: oid"),
    ("name = \"alice\"", "no such column: alice"),
    ("nosuch(ssn)", "no such function: nosuch"),
    ("lower(ssn, 1)", "wrong number of arguments to function lower()"),
    ("if(1, 2)", "wrong number of arguments to function if()"),
    // Names that SQLite 3.40 folds away while parsing are still checked.
    ("0 AND nosuch(ssn)", "no such function: nosuch"),
    ("0 AND salary = 1", "no such column: salary"),
    ("ssn = 1 AND 0 AND random()", "function random() is not allowed"),
    ("nosuch(ssn) IN ()", "IN () at character 13 has an empty list"),
    // Aggregate and window functions.
    ("max(amount) > 1", "misuse of aggregate function max()"),
    ("count(*) > 0", "count() is an aggregate or window function"),
    ("sum(amount) > 0", "sum() is an aggregate or window function"),
    ("row_number() OVER () = 1", "row_number() is an aggregate or window function"),
    ("max(amount) OVER () > 1", "misuse of window function max()"),
    // Functions outside the allowlist.
    ("random() > 0", "function random() is not allowed"),
    ("randomblob(8) = ssn", "function randomblob() is not allowed"),
    ("load_extension('x')", "function load_extension() is not allowed"),
    ("sqlite_version() = '3'", "function sqlite_version() is not allowed"),
    ("changes() = 0", "function changes() is not allowed"),
    ("ssn -> '$.a'", "function ->() is not allowed"),
    // Subqueries and other tables.
    ("(SELECT 1)", "subqueries are not allowed (SELECT at character 2)"),
    ("EXISTS (SELECT 1 FROM sqlite_master)", "subqueries are not allowed"),
    ("ssn IN (SELECT name FROM sqlite_schema)", "subqueries are not allowed"),
    ("ssn IN (VALUES (1))", "subqueries are not allowed (VALUES at character 9)"),
    ("region IN sqlite_master", "IN at character 8 must be followed by a list of values"),
    ("region IN pragma_table_info('parameters')", "must be followed by a list of values"),
    ("parameters.ssn = 1", "qualified name at character 11 is not allowed"),
    ("main.parameters.ssn = 1", "qualified name at character 5 is not allowed"),
    ("temp.t.x = 1", "qualified name at character 5 is not allowed"),
    ("\"main\".\"sqlite_master\".name = 1", "qualified name at character 7 is not allowed"),
    // Text that would end the parentheses, the statement or hide a tail.
    ("1; DROP TABLE t", "';' at character 2 is not allowed"),
    ("1) OR (1", "')' at character 2 has no matching '('"),
    ("1) IS NOT NULL ORDER BY (1", "')' at character 2 has no matching '('"),
    ("(1", "'(' at character 1 is never closed"),
    ("ssn -- ) OR (1", "comment at character 5 is not allowed"),
    ("ssn /* hidden */", "comment at character 5 is not allowed"),
    ("ssn = 1 /*", "comment at character 9 is not allowed"),
    ("ssn\u{0} OR 1", "NUL character at character 4 is not allowed"),
    // Bound parameters and trigger-only syntax.
    ("ssn = ?", "bound parameters such as ?, :name or $name are not allowed"),
    ("ssn = :value", "bound parameters such as ?, :name or $name are not allowed"),
    ("RAISE(IGNORE)", "RAISE() may only be used within a trigger-program"),
  ]

  @Test("invalid expression rejected with cause", arguments: invalidExpressions)
  func invalidRejected(expression: String, cause: String) {
    let message = Self.validate(expression)
    #expect(message != nil)
    #expect(message?.contains(cause) == true, "message: \(message ?? "nil")")
  }

  @Test("if parses as function call only when registered")
  func ifNeedsRegistration() {
    let message = ExpressionCheck.validate("if(1, 2, 3)", columns: ["a"], functions: [])
    #expect(message?.contains("no such function: if") == true)
  }

  @Test("no parameters leaves only literals and functions")
  func noParameters() {
    #expect(
      ExpressionCheck.validate("current_user() = 'a'", columns: [], functions: Self.functions)
        == nil)
    let message = ExpressionCheck.validate("\"no parameters\" = 1", columns: [], functions: [])
    #expect(message?.contains("column no parameters is not a parameter") == true)
    #expect(message?.contains("the function has no parameters") == true)
  }

  @Test("parameter names with quotes and spaces")
  func quotedParameterNames() {
    let columns = ["first name", "say \"hi\"", "select"]
    let expression = "\"first name\" || \"say \"\"hi\"\"\" || \"select\""
    #expect(ExpressionCheck.validate(expression, columns: columns, functions: []) == nil)
  }

  @Test(
    "invalid parameter lists rejected",
    arguments: [
      (["a", "A"], "parameter name A appears twice"),
      (["a", ""], "parameter name 2 is empty"),
      (["a\u{0}b"], "parameter name 1 contains a NUL character"),
    ])
  func invalidParameters(columns: [String], cause: String) {
    let message = ExpressionCheck.validate("1", columns: columns, functions: [])
    #expect(message?.contains(cause) == true, "message: \(message ?? "nil")")
  }

  @Test("allowlist contains no aggregate or random function")
  func allowlistContents() {
    for name in ["count", "sum", "avg", "random", "randomblob", "load_extension"] {
      #expect(!ExpressionCheck.allowedFunctions.contains(name), "\(name) is allowed")
    }
    for name in ["abs", "coalesce", "iif", "substr", "strftime", "sqrt"] {
      #expect(ExpressionCheck.allowedFunctions.contains(name), "\(name) is not allowed")
    }
  }
}
