import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit

extension RegistryServer {
  var adminMethods: [RPCMethod] {
    [
      .unary(Self.path("ListAuditEvents")) {
        (request: Edgecat_Audit_V1_ListAuditEventsRequest, context) in
        let caller = try await caller(context)
        try await requireAdmin(caller, to: "list audit events")
        let filter = AuditEventFilter(
          startTime: try time(request.startTime, field: "start_time"),
          endTime: try time(request.endTime, field: "end_time"),
          principal: request.principal.isEmpty ? nil : request.principal,
          action: request.action.isEmpty ? nil : request.action,
          securable: request.securable.isEmpty ? nil : request.securable,
          pageSize: Int(request.pageSize), pageToken: request.pageToken)
        await engine.auditBuffer.flush()
        let page = try await mappedAsync { () async throws(ServiceError) in
          try await engine.listAuditEvents(filter)
        }
        var response = Edgecat_Audit_V1_ListAuditEventsResponse()
        response.events = page.events.map(auditMessage)
        response.nextPageToken = page.nextPageToken
        return response
      }
    ]
  }

  private func time(_ text: String, field: String) throws(RPCError) -> Double? {
    guard !text.isEmpty else { return nil }
    return try mapped { () throws(ServiceError) in try DatetimeText.parse(text, field: field) }
  }

  private func auditMessage(_ record: AuditRecord) -> Edgecat_Audit_V1_AuditEvent {
    var event = Edgecat_Audit_V1_AuditEvent()
    event.eventID = record.id
    event.time = DatetimeText.format(record.time)
    event.service = "registry"
    event.action = record.action
    event.principal = record.principal
    event.securable = record.securable ?? ""
    event.parameters = record.parameters
    event.result = record.result
    event.requestID = record.requestID
    event.peer = record.peer
    return event
  }
}
