import EdgecatPolicy
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit

extension PolicyServer {
  var grantMethods: [RPCMethod] {
    [
      .unary(Self.path("Grant")) { (request: Edgecat_Policy_V1_UpdatePrivilegesRequest, context) in
        let caller = try caller(context)
        let granted = try privileges(request.privileges)
        let type = try securableType(request.securableType)
        var response = Edgecat_Policy_V1_UpdatePrivilegesResponse()
        response.revision = try await write {
          try await engine.grant(
            granted, on: request.securableFullName, type: type, to: request.principal,
            context: caller.context)
        }
        return response
      },
      .unary(Self.path("Revoke")) {
        (request: Edgecat_Policy_V1_UpdatePrivilegesRequest, context) in
        let caller = try caller(context)
        let revoked = try privileges(request.privileges)
        let type = try securableType(request.securableType)
        var response = Edgecat_Policy_V1_UpdatePrivilegesResponse()
        response.revision = try await write {
          try await engine.revoke(
            revoked, on: request.securableFullName, type: type, from: request.principal,
            context: caller.context)
        }
        return response
      },
      .synchronousUnary(Self.path("ListGrants")) {
        (request: Edgecat_Policy_V1_ListGrantsRequest, context) in
        let caller = try caller(context)
        let type = try securableType(request.securableType)
        // A service asking for itself may list any securable's grants. An end user, or a
        // service asking for one, may list only those of securables the user can see.
        let asksForItself = caller.context.principal == caller.authenticated.principal
        let viewer = caller.isService && asksForItself ? nil : caller.context.principal
        let grants = try mapped { () throws(PolicyError) in
          try engine.listGrants(on: request.securableFullName, type: type, visibleTo: viewer)
        }
        var byPrincipal: [String: [String]] = [:]
        for grant in grants {
          byPrincipal[grant.principal, default: []].append(grant.privilege.rawValue)
        }
        var response = Edgecat_Policy_V1_ListGrantsResponse()
        response.grants = byPrincipal.keys.sorted().map { principal in
          var info = Edgecat_Policy_V1_GrantInfo()
          info.principal = principal
          info.privileges = (byPrincipal[principal] ?? []).sorted()
          return info
        }
        return response
      },
      .synchronousUnary(Self.path("GetEffectivePrivileges")) {
        (request: Edgecat_Policy_V1_GetEffectivePrivilegesRequest, context) in
        let caller = try caller(context)
        try requireSelfOrService(caller, asking: request.principal)
        let type = try securableType(request.securableType)
        let revision = engine.revision
        let effective = try mapped { () throws(PolicyError) in
          try engine.effectivePrivileges(
            principal: request.principal, on: request.securableFullName, type: type)
        }
        var response = Edgecat_Policy_V1_GetEffectivePrivilegesResponse()
        response.revision = revision
        response.privileges = effective.map { item in
          var message = Edgecat_Policy_V1_EffectivePrivilege()
          message.privilege = item.privilege.rawValue
          message.sources = item.sources.map(sourceMessage)
          return message
        }
        return response
      },
    ]
  }

  /// Asking about another principal is for edgecat-services members and admins.
  func requireSelfOrService(_ caller: Caller, asking principal: String) throws(RPCError) {
    guard principal == caller.context.principal || caller.isService || caller.isAdmin else {
      throw RPCError(
        .permissionDenied,
        "\(caller.context.principal) may ask only about itself, not \(principal); that is for "
          + "members of edgecat-services and metastore-admins")
    }
  }

  private func sourceMessage(_ source: PrivilegeSource) -> Edgecat_Policy_V1_PrivilegeSource {
    var message = Edgecat_Policy_V1_PrivilegeSource()
    message.kind =
      switch source.kind {
      case .admin: .admin
      case .ownership, .catalogOwnership: .ownership
      case .grant: source.isInherited ? .inherited : .direct
      }
    message.securableFullName = source.securable
    message.viaGroup = source.isThroughGroup ? source.holder : ""
    message.grantedPrivilege = source.grantedPrivilege?.rawValue ?? ""
    return message
  }
}
