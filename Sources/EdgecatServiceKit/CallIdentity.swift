import EdgecatRPC

/// The identity of a call. `principal` is the end user that privileges are checked for. It
/// differs from `caller`, the token's own principal, when a member of edgecat-services calls
/// on behalf of a user through `x-edgecat-principal`.
public struct CallIdentity: Sendable {
  public let principal: String
  public let caller: String
  /// The caller's transitive groups.
  public let callerGroups: [String]
  public let requestID: String
  /// The call's environment, from `x-edgecat-environment`; nil when the call names none.
  public let environment: String?

  public var callerIsService: Bool { callerGroups.contains(BuiltInGroups.services) }

  public var callerIsAdmin: Bool { callerGroups.contains(BuiltInGroups.admins) }
}

/// Names of the built-in groups.
public enum BuiltInGroups {
  public static let everyone = "account users"
  public static let admins = "metastore-admins"
  public static let services = "edgecat-services"
}

/// Metadata keys edgecat reads and passes on downstream.
public enum EdgecatMetadata {
  public static let principal = "x-edgecat-principal"
  public static let environment = "x-edgecat-environment"
  public static let requestID = "x-request-id"

  /// Returns the token of an `authorization: Bearer <token>` header, nil when it is missing or
  /// uses another scheme.
  public static func bearerToken(_ metadata: Metadata) -> String? {
    guard let value = metadata["authorization"] else { return nil }
    let prefix = "bearer "
    guard value.count > prefix.count, value.lowercased().hasPrefix(prefix) else { return nil }
    let token = value.dropFirst(prefix.count).drop { $0 == " " }
    return token.isEmpty ? nil : String(token)
  }
}

/// Authenticates the callers of a service through its `PolicyClient`.
public struct CallAuthenticator: Sendable {
  public let policy: PolicyClient

  public init(policy: PolicyClient) {
    self.policy = policy
  }

  /// Resolves the bearer token of a call and the end user it acts for. A missing or rejected
  /// token is UNAUTHENTICATED; `x-edgecat-principal` counts only from edgecat-services members.
  public func identify(_ context: ServerContext) async throws(RPCError) -> CallIdentity {
    try await identify(
      metadata: context.metadata, requestID: context.requestID, deadline: context.deadline)
  }

  /// Resolves the caller from request metadata; `identify(_:)` with the parts spelled out.
  public func identify(metadata: Metadata, requestID: String, deadline: Deadline? = nil)
    async throws(RPCError) -> CallIdentity
  {
    guard let token = EdgecatMetadata.bearerToken(metadata) else {
      throw RPCError(
        .unauthenticated,
        "the call has no bearer token; send metadata \"authorization: Bearer <token>\"")
    }
    let caller = try await policy.authenticate(
      token: token, requestID: requestID, deadline: deadline)
    var principal = caller.principal
    if let onBehalfOf = metadata[EdgecatMetadata.principal], !onBehalfOf.isEmpty,
      caller.groups.contains(BuiltInGroups.services)
    {
      principal = onBehalfOf
    }
    return CallIdentity(
      principal: principal, caller: caller.principal, callerGroups: caller.groups,
      requestID: requestID, environment: metadata[EdgecatMetadata.environment])
  }

  /// Throws PERMISSION_DENIED naming the principal, privilege, securable and the missing
  /// privileges unless the policy service allows it.
  public func authorize(
    _ identity: CallIdentity, _ privilege: String, on type: SecurableKind, _ securable: String,
    deadline: Deadline? = nil
  ) async throws(RPCError) {
    let decision = try await policy.check(
      principal: identity.principal, privilege: privilege, type: type, securable: securable,
      requestID: identity.requestID, deadline: deadline)
    guard decision.allowed else {
      throw RPCError(
        .permissionDenied,
        "\(identity.principal) may not \(privilege) on \(type.displayName) \(securable): "
          + decision.reason)
    }
  }
}

extension SecurableKind {
  /// Lower-case name as people write it, such as "catalog" or "registered model".
  public var displayName: String {
    switch self {
    case .metastore: "metastore"
    case .catalog: "catalog"
    case .schema: "schema"
    case .table: "table"
    case .view: "view"
    case .volume: "volume"
    case .function: "function"
    case .registeredModel: "registered model"
    case .unspecified: "securable"
    case .unrecognized(let value): "securable type \(value)"
    }
  }
}
