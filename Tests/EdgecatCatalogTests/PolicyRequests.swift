import EdgecatProto
import EdgecatRPC

/// Policy service calls the tests make as the admin.
extension CatalogFixture {
  func createGroup(_ name: String) async throws(RPCError) {
    var request = Edgecat_Policy_V1_CreatePrincipalRequest()
    request.name = name
    request.type = .group
    let _: Edgecat_Policy_V1_Principal = try await policy(
      "CreatePrincipal", request, token: adminToken)
  }

  /// Creates a user, or a service principal for `service:` and `device:` names, with
  /// attributes, and returns a token for it.
  func createUser(_ name: String, attributes: [String: String] = [:])
    async throws(RPCError) -> String
  {
    var request = Edgecat_Policy_V1_CreatePrincipalRequest()
    request.name = name
    request.type = name.contains(":") ? .servicePrincipal : .user
    request.attributes = attributes
    let _: Edgecat_Policy_V1_Principal = try await policy(
      "CreatePrincipal", request, token: adminToken)
    var tokenRequest = Edgecat_Policy_V1_CreateTokenRequest()
    tokenRequest.principal = name
    let token: Edgecat_Policy_V1_CreateTokenResponse = try await policy(
      "CreateToken", tokenRequest, token: adminToken)
    return token.token
  }

  func addMember(_ member: String, to group: String) async throws(RPCError) {
    var request = Edgecat_Policy_V1_GroupMemberRequest()
    request.group = group
    request.member = member
    let _: Edgecat_Policy_V1_GroupMemberResponse = try await policy(
      "AddGroupMember", request, token: adminToken)
  }

  /// Asks the policy service whether `principal` holds `privilege`, as the admin.
  func check(
    _ principal: String, _ privilege: String, _ type: Edgecat_Policy_V1_SecurableType,
    _ name: String
  ) async throws(RPCError) -> Edgecat_Policy_V1_CheckResponse {
    var request = Edgecat_Policy_V1_CheckRequest()
    request.principal = principal
    request.privilege = privilege
    request.securableType = type
    request.securableFullName = name
    return try await policy("Check", request, token: adminToken)
  }

  func resolveTableAccess(_ principal: String, _ table: String)
    async throws(RPCError) -> Edgecat_Policy_V1_ResolveTableAccessResponse
  {
    var request = Edgecat_Policy_V1_ResolveTableAccessRequest()
    request.principal = principal
    request.tableFullName = table
    return try await policy("ResolveTableAccess", request, token: adminToken)
  }
}
