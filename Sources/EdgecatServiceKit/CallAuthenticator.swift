import EdgecatRPC

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
    guard metadata.entries.filter({ $0.key == "authorization" }).count <= 1 else {
      throw RPCError(
        .unauthenticated,
        "the call has more than one authorization header; send exactly one bearer token")
    }
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
      callerAttributes: caller.attributes,
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
      // The policy service's reason names the principal, the privilege, the securable and
      // every missing privilege.
      throw RPCError(.permissionDenied, decision.reason)
    }
  }

  /// Checks, for each of `securables`, whether the identity's principal has at least one of
  /// `privileges` on it, with one `PolicyClient.checkAll` for every pair. Returns one flag per
  /// securable, in order, and false for all when `privileges` is empty.
  public func allowed(
    _ identity: CallIdentity, anyOf privileges: [String], on type: SecurableKind,
    _ securables: [String], deadline: Deadline? = nil
  ) async throws(RPCError) -> [Bool] {
    var queries: [CheckQuery] = []
    queries.reserveCapacity(securables.count * privileges.count)
    for securable in securables {
      for privilege in privileges {
        queries.append(
          CheckQuery(
            principal: identity.principal, privilege: privilege, type: type,
            securable: securable))
      }
    }
    let decisions = try await policy.checkAll(
      queries, requestID: identity.requestID, deadline: deadline)
    return securables.indices.map { index in
      let first = index * privileges.count
      return decisions[first..<first + privileges.count].contains { $0.allowed }
    }
  }
}
