import EdgecatPolicy
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit

extension PolicyServer {
  var decisionMethods: [RPCMethod] {
    [
      RPCMethod(path: Self.path("Check")) { bytes, context in
        try check(bytes, context)
      },
      .synchronousUnary(Self.path("BatchCheck")) {
        (request: Edgecat_Policy_V1_BatchCheckRequest, context) in
        let caller = try caller(context)
        var response = Edgecat_Policy_V1_BatchCheckResponse()
        var checks: [CheckRequest] = []
        checks.reserveCapacity(request.checks.count)
        for (index, check) in request.checks.enumerated() {
          // The engine numbers its own errors the same way, so every error names its check.
          do throws(RPCError) {
            try requireSelfOrService(caller, asking: check.principal)
            checks.append(try engineRequest(check))
          } catch {
            throw RPCError(error.code, "check \(index): \(error.message)")
          }
        }
        let decisions = try mapped { () throws(PolicyError) in try engine.batchCheck(checks) }
        response.results = decisions.map { responseMessage($0) }
        engine.logDecisions(
          decisions, reasons: response.results.map(\.reason),
          caller: caller.authenticated.principal, requestID: caller.context.requestID)
        return response
      },
      .synchronousUnary(Self.path("ResolveTableAccess")) {
        (request: Edgecat_Policy_V1_ResolveTableAccessRequest, context) in
        let caller = try caller(context)
        try requireSelfOrService(caller, asking: request.principal)
        let access = try mapped { () throws(PolicyError) in
          try engine.resolveTableAccess(
            principal: request.principal, table: request.tableFullName,
            minimumRevision: request.minRevision)
        }
        var response = Edgecat_Policy_V1_ResolveTableAccessResponse()
        response.allowed = access.decision.allowed
        response.reason = access.decision.reason
        response.revision = access.decision.revision
        response.rowFilter = access.rowFilter ?? ""
        response.columnMasks = access.columnMasks.map { mask in
          var message = Edgecat_Policy_V1_ColumnMask()
          message.column = mask.column
          message.expression = mask.expression
          return message
        }
        return response
      },
      .unary(Self.path("SetRowFilter")) {
        (request: Edgecat_Policy_V1_SetRowFilterRequest, context) in
        let caller = try caller(context)
        var response = Edgecat_Policy_V1_SetRowFilterResponse()
        response.revision = try await write {
          try await engine.setRowFilter(
            on: request.tableFullName, function: request.functionFullName,
            columns: request.columns, context: caller.context)
        }
        return response
      },
      .unary(Self.path("DropRowFilter")) {
        (request: Edgecat_Policy_V1_DropRowFilterRequest, context) in
        let caller = try caller(context)
        var response = Edgecat_Policy_V1_DropRowFilterResponse()
        response.revision = try await write {
          try await engine.removeRowFilter(on: request.tableFullName, context: caller.context)
        }
        return response
      },
      .unary(Self.path("SetColumnMask")) {
        (request: Edgecat_Policy_V1_SetColumnMaskRequest, context) in
        let caller = try caller(context)
        var response = Edgecat_Policy_V1_SetColumnMaskResponse()
        response.revision = try await write {
          try await engine.setColumnMask(
            on: request.tableFullName, column: request.column, function: request.functionFullName,
            extraColumns: request.usingColumns, context: caller.context)
        }
        return response
      },
      .unary(Self.path("DropColumnMask")) {
        (request: Edgecat_Policy_V1_DropColumnMaskRequest, context) in
        let caller = try caller(context)
        var response = Edgecat_Policy_V1_DropColumnMaskResponse()
        response.revision = try await write {
          try await engine.removeColumnMask(
            on: request.tableFullName, column: request.column, context: caller.context)
        }
        return response
      },
    ]
  }

  /// Serves one Check from its encoded request. A caller that sent the same bytes before at
  /// the current revision gets the cached response under a new decision id. Any other
  /// request is decoded, authorized and decided, and its response cached.
  func check(_ bytes: [UInt8], _ context: ServerContext) throws -> [UInt8] {
    let caller = try caller(context)
    let key = CheckResponseCache.Key(
      caller: caller.authenticated.principal, endUser: caller.context.principal, request: bytes)
    if let entry = checkResponses.lookUp(key),
      let serial = engine.repeatSerial(atRevision: entry.logged.decision.revision)
    {
      engine.logDecision(entry.logged, serial: serial, requestID: caller.context.requestID)
      return CheckResponseCache.response(repeating: entry, serial: serial)
    }

    let request = try ProtoCoding.decode(Edgecat_Policy_V1_CheckRequest.self, bytes)
    try requireSelfOrService(caller, asking: request.principal)
    let decision = try decide(request)
    // Encoded without its decision id, which is appended in place and which a repeat of the
    // request replaces with its own.
    let message = responseMessage(decision, withID: false)
    let serial = decision.serial
    var response = message.serializedBytes(
      extraCapacity: CheckResponseCache.idFieldCount(decision, serial: serial))
    let bodyCount = response.count
    CheckResponseCache.appendIDField(decision, serial: serial, to: &response)
    let logged = LoggableDecision(
      decision, reason: message.reason, caller: caller.authenticated.principal)
    checkResponses.store(
      CheckResponseCache.Entry(logged: logged, response: response, bodyCount: bodyCount), for: key)
    engine.logDecision(logged, requestID: caller.context.requestID)
    return response
  }

  /// Decides one check from the engine's in-memory model.
  func decide(_ request: Edgecat_Policy_V1_CheckRequest) throws(RPCError) -> Decision {
    let check = try engineRequest(request)
    return try mapped { () throws(PolicyError) in try engine.check(check) }
  }

  private func engineRequest(_ request: Edgecat_Policy_V1_CheckRequest) throws(RPCError)
    -> CheckRequest
  {
    let privilege = try mapped { () throws(PolicyError) in try Privilege.named(request.privilege) }
    return CheckRequest(
      principal: request.principal, privilege: privilege, securable: request.securableFullName,
      securableType: try securableType(request.securableType),
      minimumRevision: request.minRevision)
  }

  private func responseMessage(_ decision: Decision, withID: Bool = true)
    -> Edgecat_Policy_V1_CheckResponse
  {
    var response = Edgecat_Policy_V1_CheckResponse()
    response.allowed = decision.allowed
    response.reason = decision.reason
    response.revision = decision.revision
    if withID { response.decisionID = decision.id }
    response.missingPrivileges = decision.missing.map(\.privilege.rawValue)
    return response
  }
}
