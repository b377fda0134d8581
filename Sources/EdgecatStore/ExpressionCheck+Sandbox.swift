extension ExpressionCheck {
  /// An in-memory database with the parameter table, stubs of the extra functions and an
  /// `ExpressionAuthorizer`.
  struct Sandbox {
    let database: Database
    let authorizer: ExpressionAuthorizer
  }

  /// The column that the parameter table gets when the function has no parameters, because a
  /// table needs one. The authorizer denies reading it.
  static let placeholderColumn = "no parameters"

  /// Returns a message when a parameter name is empty, contains NUL or repeats, or nil.
  static func findParameterProblem(in columns: [String]) -> String? {
    var seen: Set<String> = []
    for (index, name) in columns.enumerated() {
      guard !name.isEmpty else {
        return "parameter name \(index + 1) is empty; give every parameter a name"
      }
      guard !name.utf8.contains(0) else {
        return "parameter name \(index + 1) contains a NUL character; remove it"
      }
      guard seen.insert(asciiLowercased(name)).inserted else {
        return "parameter name \(name) appears twice, ignoring ASCII case as SQLite does; "
          + "rename one of them"
      }
    }
    return nil
  }

  /// Opens the sandbox. The parameter table is WITHOUT ROWID, so `rowid` and `oid` are unknown
  /// columns, and double-quoted strings are off, so `"name"` must be a parameter.
  static func openSandbox(columns: [String], functions: [ExtraFunction]) throws -> Sandbox {
    let database = try Database(path: ":memory:", statementCacheCapacity: 1)
    do {
      try database.disableDoubleQuotedStringLiterals()
      let names = columns.isEmpty ? [placeholderColumn] : columns
      let quoted = names.map(quoteIdentifier).joined(separator: ", ")
      try database.executeScript(
        "CREATE TABLE \(parameterTable) (\(quoted), PRIMARY KEY (\(quoteIdentifier(names[0]))))"
          + " WITHOUT ROWID")
      for function in functions {
        // The stubs give SQLite each function's name and argument count; no statement steps.
        try database.createFunction(
          name: function.name, argumentCount: function.argumentCount, deterministic: false
        ) { _ in .null }
      }
      let authorizer = ExpressionAuthorizer(
        table: parameterTable, columns: Set(columns),
        functions: allowedFunctions.union(functions.map(\.name)))
      try database.setAuthorizer(authorizer.authorize)
      return Sandbox(database: database, authorizer: authorizer)
    } catch {
      database.close()
      throw error
    }
  }

  /// Prepares `text` inside the wrapping SELECT and returns a message for the first problem,
  /// or nil. `reportsPosition` is false for the probe, whose offsets differ from the original.
  static func check(
    _ text: String, in sandbox: Sandbox, context: MessageContext, reportsPosition: Bool
  ) -> String? {
    sandbox.authorizer.reset()
    do {
      let description = try sandbox.database.check(prefix + text + suffix)
      guard description.parameterCount == 0 else {
        return "bound parameters such as ?, :name or $name are not allowed; refer to the "
          + "function's parameters by name"
      }
      return nil
    } catch let error as StoreError {
      if let denial = sandbox.authorizer.firstDenial {
        return context.message(for: denial)
      }
      return context.message(for: error, reportsPosition: reportsPosition)
    } catch {
      return "expression could not be checked: \(error)"
    }
  }

  /// Returns `name` as a double-quoted SQL identifier, with each `"` doubled.
  static func quoteIdentifier(_ name: String) -> String {
    var quoted = "\""
    for character in name {
      quoted += character == "\"" ? "\"\"" : String(character)
    }
    return quoted + "\""
  }
}
