import EdgecatCore
import EdgecatStore

/// A securable to add to the tree. The parent is implied by the name and must exist.
public struct SecurableRegistration: Sendable, Hashable {
  public var type: SecurableType
  /// `catalog`, `catalog.schema` or `catalog.schema.object`, matching `type`.
  public var fullName: String
  public var owner: String
  /// The signature and body; required for functions and rejected for other types.
  public var function: FunctionDefinition?
  /// The columns of a table or view, when known; bindings then must name these columns.
  public var columns: [String]

  public init(
    type: SecurableType, fullName: String, owner: String, function: FunctionDefinition? = nil,
    columns: [String] = []
  ) {
    self.type = type
    self.fullName = fullName
    self.owner = owner
    self.function = function
    self.columns = columns
  }
}

/// A securable as lookups return it.
public struct SecurableInfo: Sendable, Hashable {
  public let type: SecurableType
  /// The dotted lower case name; empty for the metastore.
  public let fullName: String
  public let owner: String
  /// When the securable was registered, in seconds since the Unix epoch.
  public let createdAt: Double
  public let function: FunctionDefinition?
  public let columns: [String]
  /// The full names of the direct children, sorted.
  public let children: [String]
}

extension PolicyEngine {
  /// Adds a securable owned by `registration.owner`. Only metastore admins and edgecat services
  /// may register; they check the creator's CREATE privilege themselves.
  @discardableResult
  public func registerSecurable(
    _ registration: SecurableRegistration, context: RequestContext
  ) async throws -> WriteResult {
    let details = AuditDetails(
      action: "registerSecurable", securable: registration.fullName,
      parameters: [("type", registration.type.name), ("owner", registration.owner)])
    return try await performWrite(details, context: context) { model, pending in
      let actor = try requireActor(context, in: model)
      try requireAdmin(actor, in: model, orService: true, for: "register securables")
      let (name, parent) = try validatePlacement(registration, in: model)
      let owner = try model.requirePrincipal(registration.owner)
      let function = try validateFunction(registration, name: name)
      var columns: [String] = []
      for column in registration.columns { columns.append(try validateColumnName(column)) }

      let now = options.clock()
      model.insertSecurable(
        type: registration.type, name: name, parent: parent.id, owner: owner.id, createdAt: now,
        function: function, columns: columns)
      pending.execute(
        "INSERT INTO securables (full_name, type, owner, created_at, columns,"
          + " function_parameters, function_return_type, function_body)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        .text(name.fullName), .text(registration.type.name), .text(owner.name), .real(now),
        .text(PolicySchema.encodeList(columns)),
        SQLValue(function.map { PolicySchema.encodeParameters($0.parameters) }),
        SQLValue(function?.returnType), SQLValue(function?.body))
      pending.record(.securableRegistered, principal: owner.name, securable: name.fullName)
    }.result
  }

  private func validatePlacement(
    _ registration: SecurableRegistration, in model: PolicyModel
  ) throws(PolicyError) -> (SecurableName, SecurableEntry) {
    let type = registration.type
    guard type != .metastore else {
      throw .invalidArgument("the metastore exists from the start; register catalogs in it")
    }
    let name = try SecurableName(registration.fullName)
    guard name.parts.count == type.depth else {
      let shape = ["", "catalog", "catalog.schema", "catalog.schema.name"][type.depth]
      throw .invalidArgument(
        "\(type.displayName) name '\(registration.fullName)' has \(name.parts.count) parts;"
          + " use \(shape)")
    }
    if let id = model.securableIDs[name.fullName] {
      let existing = model.securable(id)
      throw PolicyError(
        code: .alreadyExists,
        message: "'\(name)' already exists as a \(existing.type.displayName); names are unique"
          + " across types within a schema, so choose another name")
    }
    let parent = try model.requireSecurable(name.parent ?? .metastore)
    return (name, parent)
  }

  private func validateFunction(
    _ registration: SecurableRegistration, name: SecurableName
  ) throws(PolicyError) -> FunctionDefinition? {
    guard registration.type == .function else {
      guard registration.function == nil else {
        throw .invalidArgument(
          "\(registration.type.displayName) '\(name)' cannot have a function definition;"
            + " register it as a function")
      }
      return nil
    }
    guard let function = registration.function else {
      throw .invalidArgument("function '\(name)' needs parameters and a body")
    }
    return try function.validated(functionName: name.fullName)
  }

  /// Returns a securable with its owner and direct children.
  public func securable(
    named fullName: String, type: SecurableType? = nil
  ) throws(PolicyError) -> SecurableInfo {
    let model = snapshot.model
    let entry = try lookUpSecurable(fullName, type: type, in: model)
    return info(of: entry, in: model)
  }

  /// Throws PERMISSION_DENIED unless the actor is an admin or edgecat service, or may grant,
  /// revoke and drop on `target`.
  func requireManagement(
    _ actor: PrincipalEntry, on target: SecurableEntry, in model: PolicyModel,
    allowServices: Bool
  ) throws(PolicyError) {
    if allowServices, actor.closure.contains(model.servicesID) { return }
    let outcome = model.evaluate(actor, .management, on: target)
    guard case .denied = outcome else { return }
    let decision = makeDecision(
      outcome, principal: actor, privilege: .manage, target: target, in: model,
      isManagement: true)
    throw .permissionDenied(decision.reason)
  }
}
