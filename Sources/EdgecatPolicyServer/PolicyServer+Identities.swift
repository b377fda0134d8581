import EdgecatCore
import EdgecatPolicy
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit
import Glibc

extension PolicyServer {
  var identityMethods: [RPCMethod] {
    [
      .unary(Self.path("CreatePrincipal")) {
        (request: Edgecat_Policy_V1_CreatePrincipalRequest, context) in
        let caller = try caller(context)
        let kind = try principalKind(request.type, name: request.name)
        _ = try await write {
          try await engine.createPrincipal(request.name, kind: kind, context: caller.context)
        }
        for (key, value) in request.attributes.sorted(by: { $0.key < $1.key }) {
          _ = try await write {
            try await engine.setAttribute(
              key, to: value, of: request.name, context: caller.context)
          }
        }
        return try principalMessage(request.name)
      },
      .synchronousUnary(Self.path("GetPrincipal")) {
        (request: Edgecat_Policy_V1_GetPrincipalRequest, context) in
        _ = try caller(context)
        return try principalMessage(request.name)
      },
      .unary(Self.path("AddGroupMember")) {
        (request: Edgecat_Policy_V1_GroupMemberRequest, context) in
        let caller = try caller(context)
        var response = Edgecat_Policy_V1_GroupMemberResponse()
        response.revision = try await write {
          try await engine.addMember(request.member, to: request.group, context: caller.context)
        }
        return response
      },
      .unary(Self.path("RemoveGroupMember")) {
        (request: Edgecat_Policy_V1_GroupMemberRequest, context) in
        let caller = try caller(context)
        var response = Edgecat_Policy_V1_GroupMemberResponse()
        response.revision = try await write {
          try await engine.removeMember(
            request.member, from: request.group, context: caller.context)
        }
        return response
      },
      .unary(Self.path("SetPrincipalAttribute")) {
        (request: Edgecat_Policy_V1_SetPrincipalAttributeRequest, context) in
        let caller = try caller(context)
        _ = try await write {
          try await engine.setAttribute(
            request.key, to: request.value.isEmpty ? nil : request.value, of: request.principal,
            context: caller.context)
        }
        return try principalMessage(request.principal)
      },
      .unary(Self.path("CreateToken")) {
        (request: Edgecat_Policy_V1_CreateTokenRequest, context) in
        let caller = try caller(context)
        guard request.ttlSeconds >= 0, request.ttlSeconds <= Self.maximumTokenLifetime else {
          throw RPCError(
            .invalidArgument,
            "ttl_seconds \(request.ttlSeconds) is out of range; use 0 for no expiry or 1 to "
              + "\(Self.maximumTokenLifetime) seconds (10 years)")
        }
        let expiresAt = request.ttlSeconds > 0 ? now() + Double(request.ttlSeconds) : nil
        let created: CreatedToken
        do {
          created = try await engine.createToken(
            for: request.principal, expiresAt: expiresAt, description: request.comment,
            context: caller.context)
        } catch let error as PolicyError {
          throw error.rpcError
        }
        await hub.waitForAcknowledgements(of: created.revision)
        var response = Edgecat_Policy_V1_CreateTokenResponse()
        response.token = created.secret
        var info = Edgecat_Policy_V1_TokenInfo()
        info.tokenID = created.id
        info.principal = created.principal
        info.comment = request.comment
        info.createdAt = Timestamps.text(created.createdAt)
        info.expiresAt = created.expiresAt.map(Timestamps.text) ?? ""
        response.info = info
        return response
      },
      .unary(Self.path("RevokeToken")) {
        (request: Edgecat_Policy_V1_RevokeTokenRequest, context) in
        let caller = try caller(context)
        guard !request.tokenID.isEmpty else {
          throw RPCError(
            .invalidArgument, "token_id is empty; set it to the id of a token from ListTokens")
        }
        var response = Edgecat_Policy_V1_RevokeTokenResponse()
        response.revision = try await write {
          try await engine.revokeToken(id: request.tokenID, context: caller.context)
        }
        return response
      },
      .synchronousUnary(Self.path("ListTokens")) {
        (request: Edgecat_Policy_V1_ListTokensRequest, context) in
        let caller = try caller(context)
        let own = request.principal == caller.context.principal
        guard own || caller.isAdmin || caller.isService else {
          throw RPCError(
            .permissionDenied,
            "\(caller.context.principal) may list only its own tokens; admins may list all")
        }
        var response = Edgecat_Policy_V1_ListTokensResponse()
        let principal = request.principal.isEmpty ? nil : request.principal
        // An unknown name is NOT_FOUND, so that a misspelt one does not read as "no tokens".
        if let principal, (try? engine.principal(named: principal)) == nil {
          throw RPCError(
            .notFound,
            "principal '\(principal)' does not exist; check the name, or list principals to find"
              + " it")
        }
        response.tokens = engine.listTokens(for: principal).map { token in
          var info = Edgecat_Policy_V1_TokenInfo()
          info.tokenID = token.id
          info.principal = token.principal
          info.comment = token.description
          info.createdAt = Timestamps.text(token.createdAt)
          info.expiresAt = token.expiresAt.map(Timestamps.text) ?? ""
          info.revokedAt = token.revokedAt.map(Timestamps.text) ?? ""
          return info
        }
        return response
      },
      .synchronousUnary(Self.path("Authenticate")) {
        (request: Edgecat_Policy_V1_AuthenticateRequest, context) in
        let caller = try caller(context)
        guard !request.token.isEmpty else {
          throw RPCError(
            .invalidArgument, "token is empty; set it to the bearer token to authenticate")
        }
        let ownToken = EdgecatMetadata.bearerToken(context.metadata) == request.token
        guard ownToken || caller.isService || caller.isAdmin else {
          throw RPCError(
            .permissionDenied,
            "\(caller.authenticated.principal) may authenticate only its own token; that is "
              + "for members of edgecat-services and metastore-admins")
        }
        let (authenticated, expiresAt) = try mapped { () throws(PolicyError) in
          try engine.authenticateWithExpiry(token: request.token)
        }
        var response = Edgecat_Policy_V1_AuthenticateResponse()
        response.principal = authenticated.principal
        response.groups = authenticated.groups
        response.attributes = authenticated.attributes
        response.revision = engine.revision
        // Rounded down, so that a cache never keeps the response past the expiry.
        if let expiresAt { response.expiresAtMs = Int64((expiresAt * 1000).rounded(.down)) }
        return response
      },
    ]
  }

  /// The maximum token lifetime CreateToken accepts, in seconds: 10 years.
  static let maximumTokenLifetime: Int64 = 315_360_000

  func principalMessage(_ name: String) throws(RPCError) -> Edgecat_Policy_V1_Principal {
    principalMessage(try mapped { () throws(PolicyError) in try engine.principal(named: name) })
  }

  func principalMessage(_ info: PrincipalInfo) -> Edgecat_Policy_V1_Principal {
    var message = Edgecat_Policy_V1_Principal()
    message.name = info.name
    message.type =
      switch info.kind {
      case .user: .user
      case .group: .group
      case .service, .device: .servicePrincipal
      }
    message.groups = info.directGroups
    message.members = info.members
    message.attributes = info.attributes
    message.createdAt = Timestamps.text(info.createdAt)
    return message
  }

  private func principalKind(_ type: Edgecat_Policy_V1_PrincipalType, name: String)
    throws(RPCError) -> PrincipalKind
  {
    switch type {
    case .user: return .user
    case .group: return .group
    case .servicePrincipal: return name.hasPrefix("device:") ? .device : .service
    case .unspecified:
      throw RPCError(
        .invalidArgument,
        "type of principal \"\(name)\" is missing; set USER, GROUP or SERVICE_PRINCIPAL")
    case .unrecognized(let value):
      throw RPCError(
        .invalidArgument,
        "type \(value) of principal \"\(name)\" is not known; use USER, GROUP or "
          + "SERVICE_PRINCIPAL")
    }
  }

  func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_REALTIME, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1_000_000_000
  }
}

/// Times as SQLite datetime text in UTC, as every edgecat API writes them.
enum Timestamps {
  static func text(_ seconds: Double) -> String { DatetimeText.format(seconds) }
}
