import EdgecatCore
import EdgecatPolicy
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit

extension PolicyServer {
  var securableMethods: [RPCMethod] {
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
      .synchronousUnary(Self.path("ListSecurables")) {
        (request: Edgecat_Policy_V1_ListSecurablesRequest, context) in
        let caller = try caller(context)
        // The whole tree is for the catalog's reconcile pass and for admins. Users see
        // securables through the catalog, which filters them by the user's privileges.
        guard caller.isService || caller.isAdmin else {
          throw RPCError(
            .permissionDenied,
            "\(caller.authenticated.principal) may not list securables in the policy service; "
              + "that is for members of edgecat-services and metastore-admins")
        }
        let page = try mapped { () throws(PolicyError) in
          try engine.listSecurables(
            pageSize: Int(request.pageSize), pageToken: request.pageToken)
        }
        var response = Edgecat_Policy_V1_ListSecurablesResponse()
        response.securables = page.securables.map(securableMessage)
        response.nextPageToken = page.nextPageToken
        return response
      },
    ]
  }

  /// Looks up a securable and returns it as a message. A missing securable is NOT_FOUND.
  func securableMessage(_ fullName: String, type: SecurableType?) throws(RPCError)
    -> Edgecat_Policy_V1_Securable
  {
    let info = try mapped { () throws(PolicyError) in
      try engine.securable(named: fullName, type: type)
    }
    return securableMessage(info)
  }

  func securableMessage(_ info: SecurableInfo) -> Edgecat_Policy_V1_Securable {
    var message = Edgecat_Policy_V1_Securable()
    message.type = info.type.proto
    message.fullName = info.fullName
    message.owner = info.owner
    message.createdAt = Timestamps.text(info.createdAt)
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
}
