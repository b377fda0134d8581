/// Checks an untrusted SQL expression that becomes the body of a SQL function used as a row
/// filter or column mask, without running it.
public enum ExpressionCheck {
  /// The table that contains the parameters while an expression is checked. Expressions cannot
  /// name it, because the token rules reject qualified names and subqueries.
  static let parameterTable = "parameters"
  /// The text around the expression: a WHERE clause, where SQLite rejects aggregate and window
  /// functions, and parentheses, which the token rules keep the expression inside.
  static let prefix = "SELECT 1 FROM \(parameterTable) WHERE ("
  static let suffix = ") IS NOT NULL"

  /// Returns nil when `expression` is a valid row filter or column mask body, or else a message
  /// that names the problem and the fix.
  ///
  /// `columns` are the function's parameter names, which the expression uses as column names.
  /// `functions` are the engine's functions that it may call besides `allowedFunctions`.
  /// A valid expression is one scalar SQL expression that SQLite 3.40 accepts in a WHERE
  /// clause, whose names are all parameters or allowed functions called with a matching
  /// argument count. It contains no subquery or other table, aggregate or window function,
  /// bound parameter, comment, qualified name, double-quoted string or second statement.
  /// The check prepares the expression in an in-memory database of its own and never steps
  /// it, so calls may run on several threads at once.
  public static func validate(
    _ expression: String, columns: [String], functions: [ExtraFunction]
  ) -> String? {
    guard expression.contains(where: { !$0.isWhitespace }) else {
      return "expression is empty; write one SQL expression, such as region = "
        + "current_user_region()"
    }
    var scanner = ExpressionScanner(expression)
    let tokens: [ExpressionToken]
    do {
      tokens = try scanner.tokens()
    } catch {
      return error.message
    }
    if let problem = findTokenProblem(in: tokens, scanner: scanner) { return problem }
    if let problem = findParameterProblem(in: columns) { return problem }

    let context = MessageContext(scanner: scanner, columns: columns, functions: functions)
    do {
      let sandbox = try openSandbox(columns: columns, functions: functions)
      defer { sandbox.database.close() }
      if let problem = check(expression, in: sandbox, context: context, reportsPosition: true) {
        return problem
      }
      let probe = unfoldedProbe(of: tokens, scanner: scanner)
      guard probe != expression else { return nil }
      return check(probe, in: sandbox, context: context, reportsPosition: false)
    } catch {
      return "expression could not be checked: \(error)"
    }
  }

  /// Returns `text` with ASCII letters lowercased, as SQLite compares identifiers.
  static func asciiLowercased(_ text: String) -> String {
    let bytes = text.utf8.map { byte in
      byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
