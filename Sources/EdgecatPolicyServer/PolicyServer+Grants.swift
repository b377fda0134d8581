import EdgecatCore
import EdgecatPolicy
import EdgecatProto
import EdgecatRPC

extension PolicyServer {
  var grantMethods: [RPCMethod] {
    [
      .unary(Self.path("RegisterSecurable")) {
        (request: Edgecat_Policy_V1_RegisterSecurableRequest, context) in
        let caller = try caller(context)
        guard let type = try securableType(request.type) else {
          throw RPCError(
            .invalidArgument,
            "type of securable \"\(request.fullName)\" is missing; set CATALOG, SCHEMA, TABLE, "
              + "VIEW, VOLUME, FUNCTION or REGISTERED_MODEL")
        }
        var function: FunctionDefinition?
        if let info = request.function, type == .function {
          function = FunctionDefinition(
            parameters: info.parameters.map { FunctionParameter(name: $0.name, type: $0.type) },
            returnType: info.returnType.isEmpty ? nil : info.returnType, body: info.body)
        }
        let registration = SecurableRegistration(
          type: type, fullName: request.fullName,
          owner: request.owner.isEmpty ? caller.context.principal : request.owner,
          function: function)
        _ = try await write {
          try await engine.registerSecurable(registration, context: caller.context)
        }
        return try securableMessage(request.fullName, type: type)
      },
      .unary(Self.path("DropSecurable")) {
        (request: Edgecat_Policy_V1_DropSecurableRequest, context) in
        let caller = try caller(context)
        // The catalog is the namespace authority: it drops the securable in its own database
        // and then here, passing the end user, whose right to drop the engine checks.
        guard caller.isService || caller.isAdmin else {
          throw RPCError(
            .permissionDenied,
            "\(caller.authenticated.principal) may not drop securables in the policy service; "
              + "drop them through the catalog")
        }
        let type = try securableType(request.type)
        let info = try mapped { () throws(PolicyError) in
          try engine.securable(named: request.fullName, type: type)
        }
        if !info.children.isEmpty && !request.cascade {
          throw RPCError(
            .failedPrecondition,
            "\(info.type.displayName) \(info.fullName) has \(info.children.count) "
              + (info.children.count == 1 ? "child" : "children") + "; "
              + "drop them first or set cascade")
        }
        var response = Edgecat_Policy_V1_DropSecurableResponse()
        response.revision = try await write {
          try await engine.dropSecurable(request.fullName, type: type, context: caller.context)
        }
        response.dropped = [info.fullName]
        return response
      },
      .synchronousUnary(Self.path("GetSecurable")) {
        (request: Edgecat_Policy_V1_GetSecurableRequest, context) in
        _ = try caller(context)
        return try securableMessage(request.fullName, type: try securableType(request.type))
      },
      .unary(Self.path("TransferOwnership")) {
        (request: Edgecat_Policy_V1_TransferOwnershipRequest, context) in
        let caller = try caller(context)
        let type = try securableType(request.type)
        _ = try await write {
          try await engine.transferOwnership(
            of: request.fullName, type: type, to: request.newOwner, context: caller.context)
        }
        return try securableMessage(request.fullName, type: type)
      },
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
        _ = try caller(context)
        let type = try securableType(request.securableType)
        let grants = try mapped { () throws(PolicyError) in
          try engine.listGrants(on: request.securableFullName, type: type)
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

  func securableMessage(_ fullName: String, type: SecurableType?) throws(RPCError)
    -> Edgecat_Policy_V1_Securable
  {
    let info = try mapped { () throws(PolicyError) in
      try engine.securable(named: fullName, type: type)
    }
    var message = Edgecat_Policy_V1_Securable()
    message.type = info.type.proto
    message.fullName = info.fullName
    message.owner = info.owner
    if let function = info.function {
      var functionInfo = Edgecat_Policy_V1_FunctionInfo()
      functionInfo.parameters = function.parameters.map { parameter in
        var message = Edgecat_Policy_V1_FunctionParameter()
        message.name = parameter.name
        message.type = parameter.type
        return message
      }
      functionInfo.returnType = function.returnType ?? ""
      functionInfo.body = function.body
      message.function = functionInfo
    }
    return message
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
    return message
  }
}
