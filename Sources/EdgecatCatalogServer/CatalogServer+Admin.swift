import EdgecatCatalog
import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit

extension CatalogServer {
  var metastoreMethods: [RPCMethod] {
    [
      .unary(Self.path("GetMetastoreSummary")) {
        (_: Edgecat_Catalog_V1_GetMetastoreSummaryRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(caller, "GetMetastoreSummary", nil) { () throws(RPCError) in
          var summary = Edgecat_Catalog_V1_MetastoreSummary()
          summary.metastoreID = engine.metastore.id
          summary.name = engine.metastore.name
          summary.adminGroup = BuiltInGroups.admins
          summary.createdAtMs = Int64(engine.metastore.createdAt * 1000)
          summary.createdAt = DatetimeText.format(engine.metastore.createdAt)
          return summary
        }
      }
    ]
  }

  var adminMethods: [RPCMethod] {
    [
      .unary(Self.path("Reconcile")) { (request: Edgecat_Catalog_V1_ReconcileRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(
          caller, "Reconcile", nil,
          [("drop_unknown_catalogs", String(request.dropUnknownCatalogs))]
        ) { () throws(RPCError) in
          try await requireAdmin(caller, to: "reconcile the catalog with the policy service")
          return try await Reconciler(
            server: self, dropUnknownCatalogs: request.dropUnknownCatalogs
          ).run()
        }
      },
      .unary(Self.path("ListAuditEvents")) {
        (request: Edgecat_Audit_V1_ListAuditEventsRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(caller, "ListAuditEvents", nil) { () throws(RPCError) in
          try await auditEvents(request, caller)
        }
      },
    ]
  }

  private func auditEvents(
    _ request: Edgecat_Audit_V1_ListAuditEventsRequest, _ caller: Caller
  ) async throws(RPCError) -> Edgecat_Audit_V1_ListAuditEventsResponse {
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

  private func time(_ text: String, field: String) throws(RPCError) -> Double? {
    guard !text.isEmpty else { return nil }
    return try mapped { () throws(ServiceError) in try DatetimeText.parse(text, field: field) }
  }

  private func auditMessage(_ record: AuditRecord) -> Edgecat_Audit_V1_AuditEvent {
    var message = Edgecat_Audit_V1_AuditEvent()
    message.eventID = record.id
    message.time = DatetimeText.format(record.time)
    message.service = "catalog"
    message.action = record.action
    message.principal = record.principal
    message.securable = record.securable ?? ""
    message.parameters = record.parameters
    message.result = record.result
    message.requestID = record.requestID
    message.peer = record.peer
    return message
  }
}
