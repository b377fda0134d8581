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
    let filter = try AuditListing.filter(request)
    await engine.auditBuffer.flush()
    let page = try await mappedAsync { () async throws(ServiceError) in
      try await engine.listAuditEvents(filter)
    }
    return AuditListing.response(page, service: "catalog")
  }
}
