import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit
import EdgecatTelemetry

typealias AlertRule = Edgecat_Telemetry_V1_AlertRule

extension TelemetryServer {
  var alertMethods: [RPCMethod] {
    alertRuleMethods + [
      .unary(Self.path("ListAlerts")) {
        (request: Edgecat_Telemetry_V1_ListAlertsRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(caller, "ListAlerts", table.fullName) {
          () throws(RPCError) in
          let access = try await readAccess(caller)
          let page = try await mappedAsync { () async throws(ServiceError) in
            try await alerts.listAlerts(
              states: request.states, pageSize: request.pageSize, pageToken: request.pageToken)
          }
          var response = Edgecat_Telemetry_V1_ListAlertsResponse()
          response.alerts = try await visibleAlerts(page.alerts, subject: \.subject, access)
          response.nextPageToken = page.nextPageToken
          return response
        }
      },
      .unary(Self.path("ListAlertTransitions")) {
        (request: Edgecat_Telemetry_V1_ListAlertTransitionsRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(caller, "ListAlertTransitions", table.fullName) {
          () throws(RPCError) in
          let access = try await readAccess(caller)
          let page = try await mappedAsync { () async throws(ServiceError) in
            try await alerts.listTransitions(
              rule: request.ruleName.isEmpty ? nil : request.ruleName,
              subject: request.subject.isEmpty ? nil : request.subject,
              pageSize: request.pageSize, pageToken: request.pageToken)
          }
          var response = Edgecat_Telemetry_V1_ListAlertTransitionsResponse()
          response.transitions = try await visibleAlerts(
            page.transitions, subject: \.subject, access)
          response.nextPageToken = page.nextPageToken
          return response
        }
      },
      .unary(Self.path("EvaluateAlerts")) {
        (_: Edgecat_Telemetry_V1_EvaluateAlertsRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(caller, "EvaluateAlerts", table.fullName) {
          () throws(RPCError) in
          try await requireAdmin(caller, to: "evaluate the alert rules")
          return try await evaluator.evaluate(requestID: caller.requestID)
        }
      },
      .serverStreaming(Self.path("WatchAlerts")) {
        (
          request: Edgecat_Telemetry_V1_WatchAlertsRequest,
          writer: ResponseStreamWriter<Edgecat_Telemetry_V1_AlertTransition>, context
        ) in
        let caller = try await caller(context)
        let access = try await auditedRead(caller, "WatchAlerts", table.fullName) {
          () throws(RPCError) in
          let access = try await readAccess(caller)
          guard request.afterTransitionID >= 0 else {
            throw RPCError(
              .invalidArgument,
              "after_transition_id \(request.afterTransitionID) is negative; use 0 for new"
                + " transitions only")
          }
          return access
        }
        for await transition in alerts.watch(after: request.afterTransitionID) {
          // A token revoked or expired since the call opened gets no further transitions.
          // NOTE: the watch ends at the next transition, not at the revocation itself.
          _ = try await authenticator.identify(context)
          guard try await !visibleAlerts([transition], subject: \.subject, access).isEmpty
          else { continue }
          try await writer.write(transition)
        }
      },
    ]
  }

  private var alertRuleMethods: [RPCMethod] {
    [
      .unary(Self.path("CreateAlertRule")) {
        (request: Edgecat_Telemetry_V1_CreateAlertRuleRequest, context) in
        let caller = try await caller(context)
        let rule = try requiredRule(request.rule)
        return try await auditedWrite(
          caller, "CreateAlertRule", table.fullName, [("name", rule.name)]
        ) { audit throws(RPCError) in
          try await authorizeTable(caller, "MANAGE")
          return try await mappedAsync { () async throws(ServiceError) in
            try await alerts.createRule(rule, audit: audit)
          }
        }
      },
      .unary(Self.path("GetAlertRule")) {
        (request: Edgecat_Telemetry_V1_GetAlertRuleRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(
          caller, "GetAlertRule", table.fullName, [("name", request.name)]
        ) { () throws(RPCError) in
          try await authorizeTable(caller, "SELECT")
          return try await mappedAsync { () async throws(ServiceError) in
            try await alerts.rule(named: request.name)
          }
        }
      },
      .unary(Self.path("ListAlertRules")) {
        (request: Edgecat_Telemetry_V1_ListAlertRulesRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(caller, "ListAlertRules", table.fullName) {
          () throws(RPCError) in
          try await authorizeTable(caller, "SELECT")
          let page = try await mappedAsync { () async throws(ServiceError) in
            try await alerts.listRules(pageSize: request.pageSize, pageToken: request.pageToken)
          }
          var response = Edgecat_Telemetry_V1_ListAlertRulesResponse()
          response.rules = page.rules
          response.nextPageToken = page.nextPageToken
          return response
        }
      },
      .unary(Self.path("UpdateAlertRule")) {
        (request: Edgecat_Telemetry_V1_UpdateAlertRuleRequest, context) in
        let caller = try await caller(context)
        let rule = try requiredRule(request.rule)
        return try await auditedWrite(
          caller, "UpdateAlertRule", table.fullName,
          [("name", rule.name), ("update_mask", request.updateMask.joined(separator: ","))]
        ) { audit throws(RPCError) in
          try await authorizeTable(caller, "MANAGE")
          return try await mappedAsync { () async throws(ServiceError) in
            try await alerts.updateRule(rule, mask: request.updateMask, audit: audit)
          }
        }
      },
      .unary(Self.path("DeleteAlertRule")) {
        (request: Edgecat_Telemetry_V1_DeleteAlertRuleRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(
          caller, "DeleteAlertRule", table.fullName, [("name", request.name)]
        ) { audit throws(RPCError) in
          try await authorizeTable(caller, "MANAGE")
          try await mappedAsync { () async throws(ServiceError) in
            try await alerts.deleteRule(named: request.name, audit: audit)
          }
          return Edgecat_Telemetry_V1_DeleteAlertRuleResponse()
        }
      },
    ]
  }

  /// The request's rule, INVALID_ARGUMENT when it has none.
  private func requiredRule(_ rule: AlertRule?) throws(RPCError) -> AlertRule {
    guard let rule else {
      throw RPCError(.invalidArgument, "rule is missing; send the alert rule to store")
    }
    return rule
  }
}
