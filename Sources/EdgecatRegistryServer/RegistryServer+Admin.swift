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
        let filter = try AuditListing.filter(request)
        await engine.auditBuffer.flush()
        let page = try await mappedAsync { () async throws(ServiceError) in
          try await engine.listAuditEvents(filter)
        }
        return AuditListing.response(page, service: "registry")
      }
    ]
  }
}
