import EdgecatRPC
import EdgecatStore

/// The SQLite parse of a function body that becomes a row filter or column mask.
enum FunctionBody {
  /// The functions the engine that serves rows adds to SQLite's own, with their arities.
  static let engineFunctions = [
    ExtraFunction(name: "current_user", argumentCount: 0),
    ExtraFunction(name: "is_account_group_member", argumentCount: 1),
    ExtraFunction(name: "current_user_attribute", argumentCount: 1),
    ExtraFunction(name: "current_user_region", argumentCount: 0),
    ExtraFunction(name: "if", argumentCount: 3),
  ]

  /// Throws INVALID_ARGUMENT when SQLite cannot prepare the body with only the parameters as
  /// columns, SQLite's scalar functions and the engine's: a table read, a subquery, an
  /// aggregate, an unknown name or a syntax error.
  static func validate(
    _ body: String, parameters: [String], functionName: String
  ) throws(RPCError) {
    if let problem = ExpressionCheck.validate(
      body, columns: parameters, functions: engineFunctions)
    {
      throw RPCError(.invalidArgument, "body of function \(functionName) is invalid: \(problem)")
    }
  }
}
