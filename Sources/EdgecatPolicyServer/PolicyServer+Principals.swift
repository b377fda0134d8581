import EdgecatPolicy
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit

extension PolicyServer {
  var principalListMethods: [RPCMethod] {
    [
      .synchronousUnary(Self.path("ListPrincipals")) {
        (request: Edgecat_Policy_V1_ListPrincipalsRequest, context) in
        _ = try caller(context)
        let kinds = try principalKinds(request.type)
        let page = try mapped { () throws(PolicyError) in
          try engine.listPrincipals(
            kinds: kinds, pageSize: Int(request.pageSize), pageToken: request.pageToken)
        }
        var response = Edgecat_Policy_V1_ListPrincipalsResponse()
        response.principals = page.principals.map(principalMessage)
        response.nextPageToken = page.nextPageToken
        return response
      },
      .unary(Self.path("DeletePrincipal")) {
        (request: Edgecat_Policy_V1_DeletePrincipalRequest, context) in
        let caller = try caller(context)
        var response = Edgecat_Policy_V1_DeletePrincipalResponse()
        response.revision = try await write {
          try await engine.deletePrincipal(request.name, context: caller.context)
        }
        return response
      },
    ]
  }

  /// Maps a listing's type to the engine's kinds: every kind when unspecified, and both
  /// service and device principals for SERVICE_PRINCIPAL.
  private func principalKinds(_ type: Edgecat_Policy_V1_PrincipalType) throws(RPCError)
    -> Set<PrincipalKind>
  {
    switch type {
    case .unspecified: return []
    case .user: return [.user]
    case .group: return [.group]
    case .servicePrincipal: return [.service, .device]
    case .unrecognized(let value):
      throw RPCError(
        .invalidArgument,
        "type \(value) is not a principal type; use USER, GROUP or SERVICE_PRINCIPAL")
    }
  }
}
