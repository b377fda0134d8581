import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit
import EdgecatTelemetry

extension TelemetryServer {
  /// Authenticates the call and resolves its end user.
  func caller(_ context: ServerContext) async throws(RPCError) -> Caller {
    Caller(
      identity: try await authenticator.identify(context), peer: context.peer,
      deadline: context.deadline)
  }

  /// Runs a read and queues its audit event.
  func auditedRead<Value>(
    _ caller: Caller, _ action: String, _ securable: String?,
    _ parameters: [(String, String)] = [],
    _ body: () async throws(RPCError) -> Value
  ) async throws(RPCError) -> Value {
    try await auditor.read(
      caller.identity, peer: caller.peer, action, securable, parameters, body)
  }

  /// Runs a mutation whose audit event the engine commits with it.
  func auditedWrite<Value>(
    _ caller: Caller, _ action: String, _ securable: String?,
    _ parameters: [(String, String)] = [],
    _ body: (AuditRecord) async throws(RPCError) -> Value
  ) async throws(RPCError) -> Value {
    try await auditor.write(
      caller.identity, peer: caller.peer, action, securable, parameters, body)
  }

  /// Throws PERMISSION_DENIED unless the end user is a metastore admin.
  func requireAdmin(_ caller: Caller, to action: String) async throws(RPCError) {
    try await authenticator.requireAdmin(caller.identity, to: action, deadline: caller.deadline)
  }

  func isAdmin(_ caller: Caller) async throws(RPCError) -> Bool {
    try await authenticator.isAdmin(caller.identity, deadline: caller.deadline)
  }

  /// Throws PERMISSION_DENIED naming the missing privileges unless the end user has
  /// `privilege` on the inference log table.
  func authorizeTable(_ caller: Caller, _ privilege: String) async throws(RPCError) {
    try await authenticator.authorize(
      caller.identity, privilege, on: .table, table.fullName, deadline: caller.deadline)
  }

  /// Returns the end user's view of the inference log: the policy service's SELECT decision
  /// with the row filter and the column masks, and the identity they are evaluated for. A
  /// denial is PERMISSION_DENIED with the policy service's reason.
  func readAccess(_ caller: Caller) async throws(RPCError) -> ReadAccess {
    var request = Edgecat_Policy_V1_ResolveTableAccessRequest()
    request.principal = caller.principal
    request.tableFullName = table.fullName
    let response: Edgecat_Policy_V1_ResolveTableAccessResponse = try await policy.call(
      "ResolveTableAccess", request, requestID: caller.requestID, deadline: caller.deadline)
    guard response.allowed else { throw RPCError(.permissionDenied, response.reason) }
    var masks: [String: String] = [:]
    for mask in response.columnMasks { masks[mask.column] = mask.expression }
    return ReadAccess(
      access: TableAccess(
        rowFilter: response.rowFilter.isEmpty ? nil : response.rowFilter, masks: masks),
      identity: try await queryIdentity(caller))
  }

  /// Returns the end user's groups and attributes, which the identity functions of filters and
  /// masks read. A caller acting for itself has them from its token. An end user passed along
  /// by a service is looked up, following its groups to their parents.
  func queryIdentity(_ caller: Caller) async throws(RPCError) -> QueryIdentity {
    guard caller.identity.caller != caller.principal else {
      return QueryIdentity(
        principal: caller.principal, groups: Set(caller.identity.callerGroups),
        attributes: caller.identity.callerAttributes)
    }
    var groups: Set<String> = [BuiltInGroups.everyone]
    var attributes: [String: String] = [:]
    var pending = [caller.principal]
    var first = true
    while let name = pending.popLast() {
      var request = Edgecat_Policy_V1_GetPrincipalRequest()
      request.name = name
      let principal: Edgecat_Policy_V1_Principal = try await policy.call(
        "GetPrincipal", request, requestID: caller.requestID, deadline: caller.deadline)
      if first {
        attributes = principal.attributes
        first = false
      }
      for group in principal.groups where groups.insert(group).inserted {
        pending.append(group)
      }
    }
    return QueryIdentity(principal: caller.principal, groups: groups, attributes: attributes)
  }
}

/// One end user's access to the inference log, and the identity that the identity functions
/// of its filter and masks see.
struct ReadAccess: Sendable {
  let access: TableAccess
  let identity: QueryIdentity

  /// Whether the rollups may serve this reader: only without a row filter or mask.
  var unrestricted: Bool { access.rowFilter == nil && access.masks.isEmpty }
}
