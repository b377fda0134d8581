/// One typed parameter of a SQL function.
public struct FunctionParameter: Sendable, Hashable {
  /// The parameter name, folded to lower case.
  public var name: String
  /// A Spark SQL type name in upper case, such as `STRING`.
  public var type: String

  public init(name: String, type: String) {
    self.name = name
    self.type = type
  }
}

/// The signature and body of a SQL function, as registered for row filters and column masks.
public struct FunctionDefinition: Sendable, Hashable {
  public var parameters: [FunctionParameter]
  /// The declared result type, or nil when the function was written without a RETURNS clause.
  public var returnType: String?
  /// One SQL expression over the parameters.
  public var body: String

  /// The Spark SQL type names a parameter or result may use.
  public static let typeNames: Set<String> = [
    "STRING", "BOOLEAN", "INT", "BIGINT", "DOUBLE", "DATE", "TIMESTAMP",
  ]

  public init(parameters: [FunctionParameter], returnType: String? = nil, body: String) {
    self.parameters = parameters
    self.returnType = returnType
    self.body = body
  }

  /// Returns a copy with names in lower case and types in upper case, or throws
  /// INVALID_ARGUMENT for a bad name, an unknown type, a repeated parameter or a bad body.
  public func validated(functionName: String) throws(ServiceError) -> FunctionDefinition {
    var seen: Set<String> = []
    var parameters: [FunctionParameter] = []
    for parameter in self.parameters {
      let name = parameter.name.lowercased()
      guard SQLExpression.isPlainIdentifier(name) else {
        throw .invalidArgument(
          "parameter '\(parameter.name)' of function \(functionName) is not an identifier; use"
            + " letters, digits and '_', starting with a letter or '_'")
      }
      guard seen.insert(name).inserted else {
        throw .invalidArgument(
          "function \(functionName) declares parameter '\(name)' twice; rename one")
      }
      parameters.append(
        FunctionParameter(name: name, type: try Self.validateType(parameter.type, functionName)))
    }
    let returnType = try self.returnType.map { (type) throws(ServiceError) in
      try Self.validateType(type, functionName)
    }
    try SQLExpression.validateBody(body, functionName: functionName)
    return FunctionDefinition(parameters: parameters, returnType: returnType, body: body)
  }

  private static func validateType(
    _ type: String, _ functionName: String
  ) throws(ServiceError) -> String {
    let upper = type.uppercased()
    guard typeNames.contains(upper) else {
      let known = typeNames.sorted().joined(separator: ", ")
      throw .invalidArgument(
        "type '\(type)' in function \(functionName) is not supported; use one of \(known)")
    }
    return upper
  }
}
