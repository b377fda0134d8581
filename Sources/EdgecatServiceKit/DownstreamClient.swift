import EdgecatLog
import EdgecatProto
import EdgecatRPC

/// Calls another edgecat service with this service's token, on behalf of the end user of a
/// request: the called service authorizes the user named in `x-edgecat-principal`, and the
/// request id and environment pass on. When the service cannot be reached in time, calls fail
/// with UNAVAILABLE. Thread-safe.
public final class DownstreamClient: Sendable {
  public let endpoint: Endpoint
  /// The gRPC service, such as "edgecat.catalog.v1.CatalogService".
  public let serviceName: String
  /// The name people know the service by, such as "catalog", for logs and messages.
  public let displayName: String
  private let rpcClient: RPCClient
  private let token: String
  private let callTimeout: Duration
  private let logger: Logger
  private let outage = OutageLog()

  /// `serviceToken` is this service's own token, and `callTimeout` bounds each call when the
  /// request has no earlier deadline.
  public init(
    serviceName: String, displayName: String, endpoint: Endpoint, serviceToken: String,
    callTimeout: Duration = .seconds(5), group: EventLoopGroup = .shared
  ) {
    self.serviceName = serviceName
    self.displayName = displayName
    self.endpoint = endpoint
    token = serviceToken
    self.callTimeout = callTimeout
    rpcClient = RPCClient(endpoint: endpoint, group: group)
    logger = Logger(component: "\(displayName)-client")
  }

  public func close() { rpcClient.close() }

  /// Calls one unary method for `principal`, or as this service when it is nil.
  public func call<Request: ProtoMessage, Response: ProtoMessage>(
    _ method: String, _ request: Request, onBehalfOf principal: String?, requestID: String,
    environment: String? = nil, deadline: Deadline? = nil
  ) async throws(RPCError) -> Response {
    let timeout = min(deadline?.remaining ?? callTimeout, callTimeout)
    let response: Response
    do {
      response = try await rpcClient.unary(
        "/\(serviceName)/\(method)", request,
        metadata: metadata(onBehalfOf: principal, requestID: requestID, environment: environment),
        timeout: timeout)
    } catch {
      throw unavailable(error, method: method, requestID: requestID)
    }
    if let failures = outage.succeeded() {
      logger.info(
        "\(displayName) service reachable again",
        ["\(displayName).endpoint": endpoint, "failed_calls": failures])
    }
    return response
  }

  private func metadata(onBehalfOf principal: String?, requestID: String, environment: String?)
    -> Metadata
  {
    var metadata = Metadata()
    metadata.add("authorization", "Bearer \(token)")
    metadata.add(EdgecatMetadata.requestID, requestID)
    if let principal { metadata.add(EdgecatMetadata.principal, principal) }
    if let environment { metadata.add(EdgecatMetadata.environment, environment) }
    return metadata
  }

  /// Turns connection failures and timeouts into UNAVAILABLE naming the service, and passes
  /// the service's own errors on. An outage is logged at its first failure and then once per
  /// `OutageLog` interval.
  private func unavailable(_ error: RPCError, method: String, requestID: String) -> RPCError {
    switch error.code {
    case .unavailable, .deadlineExceeded, .cancelled:
      if let notLogged = outage.failed() {
        logger.warning(
          "\(displayName) service unavailable",
          [
            "\(displayName).endpoint": endpoint, "rpc.method": method, "request.id": requestID,
            "error": error.message, "failures_not_logged": notLogged,
          ])
      }
      // UNAVAILABLE covers a refused connection and an UNAVAILABLE status the service returns,
      // so the message keeps the cause instead of calling it a timeout.
      let failure = error.code == .unavailable ? "is unavailable" : "did not answer in time"
      return RPCError(
        .unavailable,
        "the \(displayName) service at \(endpoint) \(failure) (\(error.code): \(error.message));"
          + " retry once it is reachable")
    default:
      return error
    }
  }
}

/// A client of edgecat-catalog.
public typealias CatalogClient = DownstreamClient
/// A client of edgecat-registry.
public typealias RegistryClient = DownstreamClient

extension DownstreamClient {
  /// A client of `edgecat.catalog.v1.CatalogService` at `endpoint`.
  public static func catalog(
    endpoint: Endpoint, serviceToken: String, callTimeout: Duration = .seconds(5),
    group: EventLoopGroup = .shared
  ) -> DownstreamClient {
    DownstreamClient(
      serviceName: "edgecat.catalog.v1.CatalogService", displayName: "catalog",
      endpoint: endpoint, serviceToken: serviceToken, callTimeout: callTimeout, group: group)
  }

  /// A client of `edgecat.registry.v1.ModelRegistryService` at `endpoint`.
  public static func registry(
    endpoint: Endpoint, serviceToken: String, callTimeout: Duration = .seconds(5),
    group: EventLoopGroup = .shared
  ) -> DownstreamClient {
    DownstreamClient(
      serviceName: "edgecat.registry.v1.ModelRegistryService", displayName: "registry",
      endpoint: endpoint, serviceToken: serviceToken, callTimeout: callTimeout, group: group)
  }
}
