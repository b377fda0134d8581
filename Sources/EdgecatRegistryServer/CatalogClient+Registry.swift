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
