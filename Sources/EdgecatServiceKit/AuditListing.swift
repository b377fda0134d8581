import EdgecatCore
import EdgecatProto
import EdgecatRPC

/// Maps `edgecat.audit.v1` list requests and events to and from the audit trail's types, for
/// every service that serves ListAuditEvents.
public enum AuditListing {
  /// The filter a request asks for. Bad times are INVALID_ARGUMENT naming the field.
  public static func filter(_ request: Edgecat_Audit_V1_ListAuditEventsRequest) throws(RPCError)
    -> AuditEventFilter
  {
    AuditEventFilter(
      startTime: try time(request.startTime, field: "start_time"),
      endTime: try time(request.endTime, field: "end_time"),
      principal: request.principal.isEmpty ? nil : request.principal,
      action: request.action.isEmpty ? nil : request.action,
      securable: request.securable.isEmpty ? nil : request.securable,
      pageSize: Int(request.pageSize), pageToken: request.pageToken)
  }

  /// The response carrying `page`, whose events `service` recorded.
  public static func response(_ page: AuditRecordPage, service: String)
    -> Edgecat_Audit_V1_ListAuditEventsResponse
  {
    var response = Edgecat_Audit_V1_ListAuditEventsResponse()
    response.events = page.events.map { message($0, service: service) }
    response.nextPageToken = page.nextPageToken
    return response
  }

  public static func message(_ record: AuditRecord, service: String)
    -> Edgecat_Audit_V1_AuditEvent
  {
    var event = Edgecat_Audit_V1_AuditEvent()
    event.eventID = record.id
    event.time = DatetimeText.format(record.time)
    event.service = service
    event.action = record.action
    event.principal = record.principal
    event.securable = record.securable ?? ""
    event.parameters = record.parameters
    event.result = record.result
    event.requestID = record.requestID
    event.peer = record.peer
    return event
  }

  private static func time(_ text: String, field: String) throws(RPCError) -> Double? {
    guard !text.isEmpty else { return nil }
    return try mapped { () throws(ServiceError) in try DatetimeText.parse(text, field: field) }
  }
}
