import EdgecatProto
import EdgecatRPC

extension CallAuthenticator {
  /// Returns whether the end user is a metastore admin. A caller acting for itself is decided
  /// by its groups, and an end user passed along by a service is looked up in the policy
  /// service.
  public func isAdmin(_ identity: CallIdentity, deadline: Deadline? = nil) async throws(RPCError)
    -> Bool
  {
    guard identity.caller != identity.principal else {
      return identity.callerIsAdmin
    }
    var request = Edgecat_Policy_V1_GetEffectivePrivilegesRequest()
    request.principal = identity.principal
    request.securableType = .metastore
    let response: Edgecat_Policy_V1_GetEffectivePrivilegesResponse = try await policy.call(
      "GetEffectivePrivileges", request, requestID: identity.requestID, deadline: deadline)
    return response.privileges.contains { $0.sources.contains { $0.kind == .admin } }
  }

  /// Throws PERMISSION_DENIED naming the end user and `action` unless it is a metastore admin.
  public func requireAdmin(
    _ identity: CallIdentity, to action: String, deadline: Deadline? = nil
  ) async throws(RPCError) {
    guard !(try await isAdmin(identity, deadline: deadline)) else { return }
    throw RPCError(
      .permissionDenied, "\(identity.principal) may not \(action); only metastore admins may")
  }
}
