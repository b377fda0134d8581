import EdgecatCore
import EdgecatPolicy
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit

extension PolicyServer {
  var logMethods: [RPCMethod] {
    [
      .unary(Self.path("ListAuditEvents")) {
        (request: Edgecat_Audit_V1_ListAuditEventsRequest, context) in
        let caller = try caller(context)
        try requireAdmin(caller, to: "list audit events")
        let filter = AuditEventFilter(
          startTime: try time(request.startTime, field: "start_time"),
          endTime: try time(request.endTime, field: "end_time"),
          principal: nonEmpty(request.principal), action: nonEmpty(request.action),
          securable: nonEmpty(request.securable), pageSize: Int(request.pageSize),
          pageToken: request.pageToken)
        let page = try await listed { try await engine.listAuditEvents(filter) }
        var response = Edgecat_Audit_V1_ListAuditEventsResponse()
        response.events = page.events.map(auditMessage)
        response.nextPageToken = page.nextPageToken
        return response
      },
      .unary(Self.path("ListDecisions")) {
        (request: Edgecat_Policy_V1_ListDecisionsRequest, context) in
        let caller = try caller(context)
        try requireAdmin(caller, to: "list the decision log")
        let filter = DecisionFilter(
          startTime: try time(request.startTime, field: "start_time"),
          endTime: try time(request.endTime, field: "end_time"),
          principal: nonEmpty(request.principal), securable: nonEmpty(request.securable),
          allowed: try allowed(request.outcome),
          privilege: try nonEmpty(request.privilege).map { (name) throws(RPCError) in
            try mapped { () throws(PolicyError) in try Privilege.named(name).rawValue }
          },
          caller: nonEmpty(request.caller), pageSize: Int(request.pageSize),
          pageToken: request.pageToken)
        let page = try await listed { try await engine.listDecisions(filter) }
        var response = Edgecat_Policy_V1_ListDecisionsResponse()
        response.decisions = page.decisions.map(decisionMessage)
        response.nextPageToken = page.nextPageToken
        return response
      },
    ]
  }

  /// Returns the `allowed` value that `outcome` keeps, nil for both.
  private func allowed(_ outcome: Edgecat_Policy_V1_DecisionOutcome) throws(RPCError) -> Bool? {
    switch outcome {
    case .unspecified: return nil
    case .allowed: return true
    case .denied: return false
    default:
      throw RPCError(
        .invalidArgument,
        "outcome \(outcome.rawValue) is invalid; use DECISION_OUTCOME_ALLOWED (1),"
          + " DECISION_OUTCOME_DENIED (2) or leave it unset for both")
    }
  }

  /// Throws PERMISSION_DENIED unless the acting principal is a metastore admin.
  func requireAdmin(_ caller: Caller, to action: String) throws(RPCError) {
    let principal = caller.context.principal
    let groups = (try? engine.principal(named: principal).groups) ?? []
    guard groups.contains(BuiltInGroup.metastoreAdmins) else {
      throw RPCError(
        .permissionDenied, "\(principal) may not \(action); only metastore admins may")
    }
  }

  /// Runs an engine listing and maps its failure to a gRPC status.
  private func listed<Page>(_ body: () async throws -> Page) async throws(RPCError) -> Page {
    do {
      return try await body()
    } catch let error as PolicyError {
      throw error.rpcError
    } catch {
      logger.error("policy listing failed", ["error": "\(error)"])
      throw RPCError(.internal, "the listing failed; see the policy service's log")
    }
  }

  private func time(_ text: String, field: String) throws(RPCError) -> Double? {
    guard !text.isEmpty else { return nil }
    return try mapped { () throws(PolicyError) in try DatetimeText.parse(text, field: field) }
  }

  private func nonEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }

  private func auditMessage(_ event: AuditEvent) -> Edgecat_Audit_V1_AuditEvent {
    var message = Edgecat_Audit_V1_AuditEvent()
    message.eventID = event.id
    message.time = Timestamps.text(event.time)
    message.service = "policy"
    message.action = event.action
    message.principal = event.principal
    message.securable = event.securable ?? ""
    message.parameters = event.parameters
    message.result = event.result
    message.requestID = event.requestID
    message.peer = event.peer
    return message
  }

  private func decisionMessage(_ decision: LoggedDecision) -> Edgecat_Policy_V1_Decision {
    var message = Edgecat_Policy_V1_Decision()
    message.decisionID = decision.id
    message.time = Timestamps.text(decision.time)
    message.principal = decision.principal
    message.privilege = decision.privilege
    message.securable = decision.securable
    message.allowed = decision.allowed
    message.reason = decision.reason
    message.caller = decision.caller
    message.requestID = decision.requestID
    message.revision = decision.revision
    return message
  }
}
