import EdgecatLog
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit

/// Calls edgecat-catalog as this service, on behalf of the end user of a request: the
/// catalog authorizes the user named in `x-edgecat-principal`, and passes the request id and
/// environment on. When the catalog cannot be reached in time, calls fail with UNAVAILABLE.
/// Thread-safe.
public final class CatalogClient: Sendable {
  public let endpoint: Endpoint
  private let rpcClient: RPCClient
  private let token: String
  private let callTimeout: Duration
  private let logger = Logger(component: "catalog-client")

  /// `serviceToken` is this service's own token, and `callTimeout` bounds each call when the
  /// request has no earlier deadline.
  public init(
    endpoint: Endpoint, serviceToken: String, callTimeout: Duration = .seconds(5),
    group: EventLoopGroup = .shared
  ) {
    self.endpoint = endpoint
    token = serviceToken
    self.callTimeout = callTimeout
    rpcClient = RPCClient(endpoint: endpoint, group: group)
  }

  public func close() { rpcClient.close() }

  /// Calls one unary method of `edgecat.catalog.v1.CatalogService` for `caller`'s end user.
  func call<Request: ProtoMessage, Response: ProtoMessage>(
    _ method: String, _ request: Request, for caller: Caller
  ) async throws(RPCError) -> Response {
    try await call(
      method, request, onBehalfOf: caller.principal, requestID: caller.requestID,
      environment: caller.environment, deadline: caller.deadline)
  }

  /// Calls one unary method for `principal`, or as this service when it is nil.
  func call<Request: ProtoMessage, Response: ProtoMessage>(
    _ method: String, _ request: Request, onBehalfOf principal: String?, requestID: String,
    environment: String? = nil, deadline: Deadline? = nil
  ) async throws(RPCError) -> Response {
    var metadata = Metadata()
    metadata.add("authorization", "Bearer \(token)")
    metadata.add(EdgecatMetadata.requestID, requestID)
    if let principal { metadata.add(EdgecatMetadata.principal, principal) }
    if let environment { metadata.add(EdgecatMetadata.environment, environment) }
    let timeout = min(deadline?.remaining ?? callTimeout, callTimeout)
    do {
      return try await rpcClient.unary(
        "/edgecat.catalog.v1.CatalogService/\(method)", request, metadata: metadata,
        timeout: timeout)
    } catch {
      switch error.code {
      case .unavailable, .deadlineExceeded, .cancelled:
        logger.warning(
          "catalog service unavailable",
          [
            "catalog.endpoint": endpoint, "rpc.method": method, "request.id": requestID,
            "error": error.message,
          ])
        throw RPCError(
          .unavailable,
          "the catalog service at \(endpoint) did not answer in time (\(error.code)); retry once"
            + " it is reachable")
      default:
        throw error
      }
    }
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
        logger.error(
          "recording deployment lineage failed",
          [
            "model": model, "version": version, "devices": batch.count, "request.id": requestID,
            "error": error.message,
          ])
      }
    }
  }
}
