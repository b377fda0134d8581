/// An edgecat service that the CLI calls, with its default port and gRPC service name.
public enum Service: String, CaseIterable, Sendable {
  case policy
  case catalog
  case registry
  case telemetry
  /// The edge agent's local service on the device, called with the agent's local token.
  case agent

  /// The executable that serves it, such as `edgecat-policy`.
  public var program: String { "edgecat-\(rawValue)" }

  /// The port it listens on by default on 127.0.0.1.
  public var defaultPort: Int {
    switch self {
    case .policy: 7401
    case .catalog: 7402
    case .registry: 7403
    case .telemetry: 7404
    case .agent: 7410
    }
  }

  /// The fully qualified gRPC service, such as `edgecat.policy.v1.PolicyService`.
  var grpcService: String {
    switch self {
    case .policy: "edgecat.policy.v1.PolicyService"
    case .catalog: "edgecat.catalog.v1.CatalogService"
    case .registry: "edgecat.registry.v1.ModelRegistryService"
    case .telemetry: "edgecat.telemetry.v1.TelemetryService"
    case .agent: "edgecat.agent.v1.AgentService"
    }
  }

  /// The global flag that sets its endpoint, such as `policy-endpoint`.
  var endpointFlag: String { "\(rawValue)-endpoint" }
}

/// How a command prints its result.
public enum OutputFormat: String, Sendable {
  /// Aligned columns for people.
  case table
  /// One JSON document for scripts.
  case json
}
