import EdgecatLog
import EdgecatProto
import EdgecatRPC

/// Calls edgecat-catalog as a service, on behalf of the end user of a request: the
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

  /// Calls one unary method of `edgecat.catalog.v1.CatalogService` for `principal`, or as
  /// this service when it is nil.
  public func call<Request: ProtoMessage, Response: ProtoMessage>(
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
