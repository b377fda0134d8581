import EdgecatProto
import EdgecatRPC

/// The agent's connections to the registry and telemetry services, authenticated as the
/// device principal `device:<device id>`. Thread-safe.
public final class Uplink: Sendable {
  public let deviceID: String
  let registry: RPCClient
  let telemetry: RPCClient
  private let token: String

  /// Deadline of unary calls, such as heartbeats and state reports.
  static let unaryTimeout: Duration = .seconds(10)

  public init(
    deviceID: String, token: String, registryEndpoint: Endpoint, telemetryEndpoint: Endpoint,
    group: EventLoopGroup = .shared
  ) {
    self.deviceID = deviceID
    self.token = token
    registry = RPCClient(endpoint: registryEndpoint, group: group)
    telemetry = RPCClient(endpoint: telemetryEndpoint, group: group)
  }

  /// Request metadata with the device's bearer token.
  var metadata: Metadata {
    var metadata = Metadata()
    metadata.add("authorization", "Bearer \(token)")
    return metadata
  }

  static func registryPath(_ method: String) -> String {
    "/edgecat.registry.v1.ModelRegistryService/\(method)"
  }

  static func telemetryPath(_ method: String) -> String {
    "/edgecat.telemetry.v1.TelemetryService/\(method)"
  }

  func callRegistry<Request: ProtoMessage, Response: ProtoMessage>(
    _ method: String, _ request: Request
  ) async throws(RPCError) -> Response {
    try await registry.unary(
      Self.registryPath(method), request, metadata: metadata, timeout: Self.unaryTimeout)
  }

  func callTelemetry<Request: ProtoMessage, Response: ProtoMessage>(
    _ method: String, _ request: Request
  ) async throws(RPCError) -> Response {
    try await telemetry.unary(
      Self.telemetryPath(method), request, metadata: metadata, timeout: Self.unaryTimeout)
  }

  /// Closes both connections; calls still running end with UNAVAILABLE.
  public func close() {
    registry.close()
    telemetry.close()
  }
}
