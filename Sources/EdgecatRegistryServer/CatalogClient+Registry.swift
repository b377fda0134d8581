import EdgecatLog
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit

extension CatalogClient {
  /// Calls one unary method of `edgecat.catalog.v1.CatalogService` for `caller`'s end user.
  func call<Request: ProtoMessage, Response: ProtoMessage>(
    _ method: String, _ request: Request, for caller: Caller
  ) async throws(RPCError) -> Response {
    try await call(
      method, request, onBehalfOf: caller.principal, requestID: caller.requestID,
      environment: caller.environment, deadline: caller.deadline)
  }
}

extension CatalogClient {
  /// Records that devices were given a model version, as lineage edges of `kind` from the
  /// version to each device, for `principal` in `environment`. A failure is logged and does
  /// not undo the deployment step.
  func recordDeployment(
    model: String, version: Int64, devices: [String], kind: String = "DEPLOYED_TO",
    onBehalfOf principal: String?, requestID: String, environment: String?,
    deadline: Deadline? = nil
  ) async {
    var start = 0
    while start < devices.count {
      let batch = devices[start..<min(devices.count, start + 1000)]
      start += batch.count
      var request = Edgecat_Catalog_V1_AddLineageEdgesRequest()
      request.edges = batch.map { device in
        var edge = Edgecat_Catalog_V1_NewLineageEdge()
        edge.source = "model-version:\(model)/\(version)"
        edge.target = "device:\(device)"
        edge.kind = kind
        return edge
      }
      do {
        let _: Edgecat_Catalog_V1_AddLineageEdgesResponse = try await call(
          "AddLineageEdges", request, onBehalfOf: principal, requestID: requestID,
          environment: environment, deadline: deadline)
      } catch {
        Logger(component: "catalog-client").error(
          "recording deployment lineage failed",
          [
            "model": model, "version": version, "devices": batch.count, "request.id": requestID,
            "error": error.message,
          ])
      }
    }
  }
}
