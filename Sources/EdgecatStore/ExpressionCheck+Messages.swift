extension ExpressionCheck {
  /// The text, parameters and functions that the messages about one expression refer to.
  struct MessageContext {
    let scanner: ExpressionScanner
    let columns: [String]
    let functions: [ExtraFunction]

    /// Returns the message for an action that the `ExpressionAuthorizer` denied.
    func message(for denial: AuthorizerRequest) -> String {
      switch denial.action {
      case .function:
        let name = denial.functionName ?? ""
        if ExpressionCheck.aggregateFunctions.contains(name) {
          return "\(name)() is an aggregate or window function, which a row filter or column "
            + "mask cannot use because it sees one row at a time"
        }
        return "function \(name)() is not allowed in a row filter or column mask; "
          + functionAdvice
      case .read where denial.tableName == ExpressionCheck.parameterTable:
        return "column \(denial.columnName ?? "") is not a parameter; \(parameterList)"
      case .read:
        return "reading table \(denial.tableName ?? "") is not allowed; a row filter or column "
          + "mask can use only its parameters, literals and functions"
      case .select:
        return "subqueries are not allowed; a row filter or column mask can use only its "
          + "parameters, literals and functions"
      default:
        return "the expression needs SQLite action \(denial.action) "
          + "(\(denial.firstArgument ?? "")), which is not allowed in a row filter or column mask"
      }
    }

    /// Returns the message for a statement that SQLite failed to prepare: SQLite's own message,
    /// where in the expression it failed when `reportsPosition` is set, and a hint.
    func message(for error: StoreError, reportsPosition: Bool) -> String {
      var text = "invalid expression: \(error.message)"
      if reportsPosition, let offset = error.byteOffset {
        let inner = offset - ExpressionCheck.prefix.utf8.count
        if inner >= scanner.bytes.count && error.message.hasPrefix("near ") {
          // SQLite names the token after the expression, which the writer never typed.
          return "invalid expression: it ends before it is complete; check for a missing "
            + "operand, operator, quote or parenthesis at the end"
        } else if inner >= scanner.bytes.count {
          text += " (at the end of the expression)"
        } else if inner >= 0 {
          text += " (at character \(scanner.characterPosition(ofByte: inner)))"
        }
      }
      if let hint = hint(for: error.message) { text += "; " + hint }
      return text
    }

    private func hint(for message: String) -> String? {
      if message.hasPrefix("no such column") { return parameterList }
      if message.hasPrefix("no such function") { return functionAdvice }
      if message.hasPrefix("misuse of aggregate") || message.hasPrefix("misuse of window") {
        return "aggregate and window functions are not allowed, because a row filter or "
          + "column mask sees one row at a time"
      }
      if message.hasPrefix("row value misused") {
        return "an expression must be one value, not a list such as (a, b)"
      }
      if message.hasSuffix("syntax error") || message == "incomplete input" {
        return "check for a missing operand, operator, quote or parenthesis"
      }
      return nil
    }

    private var parameterList: String {
      columns.isEmpty
        ? "the function has no parameters"
        : "the parameters are " + columns.joined(separator: ", ")
    }

    private var functionAdvice: String {
      var advice = "use a built-in scalar function such as lower(), coalesce() or round()"
      if !functions.isEmpty {
        let names = functions.map { "\($0.name)()" }.joined(separator: ", ")
        advice += ", or one of the engine's functions: " + names
      }
      return advice
    }
  }
}
