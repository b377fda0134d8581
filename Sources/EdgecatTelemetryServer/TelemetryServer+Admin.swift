import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit

extension TelemetryServer {
  var adminMethods: [RPCMethod] {
    [
      .unary(Self.path("RunRetention")) {
        (_: Edgecat_Telemetry_V1_RunRetentionRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(caller, "RunRetention", table.fullName) {
          () throws(RPCError) in
          try await requireAdmin(caller, to: "run retention")
          return try await runRetention()
        }
      },
      .unary(Self.path("ListAuditEvents")) {
        (request: Edgecat_Audit_V1_ListAuditEventsRequest, context) in
        let caller = try await caller(context)
        try await requireAdmin(caller, to: "list audit events")
        let filter = try AuditListing.filter(request)
        await engine.auditBuffer.flush()
        let page = try await mappedAsync { () async throws(ServiceError) in
          try await engine.listAuditEvents(filter)
        }
        return AuditListing.response(page, service: "telemetry")
      },
    ]
  }

  /// Drops the raw records of received days older than the retention setting.
  public func runRetention() async throws(RPCError) -> Edgecat_Telemetry_V1_RunRetentionResponse {
    let result = try await mappedAsync { () async throws(ServiceError) in
      try await engine.runRetention()
    }
    var response = Edgecat_Telemetry_V1_RunRetentionResponse()
    response.droppedDays = result.days
    response.droppedRecords = result.records
    if result.records > 0 {
      logger.info(
        "retention dropped raw records",
        ["days": result.days.joined(separator: ","), "records": result.records])
    }
    return response
  }
}
