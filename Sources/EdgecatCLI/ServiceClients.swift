import EdgecatProto
import EdgecatRPC
import Synchronization

/// One gRPC client per service, opened on first use, with the token, environment and
/// deadline of the settings on every call. A call that passes its own bearer token, as calls
/// to the agent do, sends that token and no environment. Thread-safe.
public final class ServiceClients: Sendable {
  public let settings: Settings
  private let clients = Mutex<[Service: RPCClient]>([:])

  public init(settings: Settings) {
    self.settings = settings
  }

  /// Calls a unary method of `service` and returns its response; failures become a
  /// `CLIError` that names the service, the status and what to do. `bearerToken` replaces the
  /// settings' token and environment, and calls to `.agent` must pass the local token there.
  public func call<Request: ProtoMessage, Response: ProtoMessage>(
    _ service: Service, _ method: String, _ request: Request,
    as responseType: Response.Type = Response.self, bearerToken: String? = nil
  ) async throws -> Response {
    let metadata = try bearerToken.map(Self.metadata(token:)) ?? metadata(for: service)
    let client = client(for: service)
    do {
      return try await client.unary(
        "/\(service.grpcService)/\(method)", request, as: responseType, metadata: metadata,
        timeout: settings.timeout)
    } catch {
      throw describe(error, service: service)
    }
  }

  /// Closes every connection.
  public func close() {
    clients.withLock { clients in
      for client in clients.values { client.close() }
      clients.removeAll()
    }
  }

  /// The token and environment headers of every call; without a token it is a usage error
  /// that names the ways to set one.
  func metadata(for service: Service) throws -> Metadata {
    precondition(service != .agent, "calls to the agent carry its local token instead")
    guard let token = settings.token else {
      throw CLIError.usage(
        "no token is set for \(service.program); pass --token or --token-file, set"
          + " EDGECAT_TOKEN or EDGECAT_TOKEN_FILE, or add token_file to a profile in"
          + " ~/.edgecat/config")
    }
    var metadata = Metadata()
    metadata.add("authorization", "Bearer \(token)")
    if let environment = settings.environment {
      metadata.add("x-edgecat-environment", environment)
    }
    return metadata
  }

  /// Returns the header of a call that carries `token` alone, such as the agent's local token.
  static func metadata(token: String) -> Metadata {
    var metadata = Metadata()
    metadata.add("authorization", "Bearer \(token)")
    return metadata
  }

  func client(for service: Service) -> RPCClient {
    clients.withLock { clients in
      if let existing = clients[service] { return existing }
      var configuration = ClientConfiguration()
      configuration.connectTimeout = min(settings.timeout, .seconds(10))
      let client = RPCClient(endpoint: settings.endpoint(of: service), configuration: configuration)
      clients[service] = client
      return client
    }
  }

  /// Turns a failed call into a message that says what failed and how to fix it.
  func describe(_ error: RPCError, service: Service) -> CLIError {
    let endpoint = settings.endpoint(of: service)
    let detail = error.message.isEmpty ? "" : ": \(error.message)"
    var text = "\(service.program) at \(endpoint) returned \(error.code)\(detail)"
    switch error.code {
    // Failures to reach the endpoint name it; an UNAVAILABLE without it comes from the
    // service itself, about a service it depends on, and its message says what to do.
    case .unavailable where error.message.contains(endpoint.description):
      text += "; check that \(service.program) is running there, or set --\(service.endpointFlag)"
      if service == .agent {
        text += " or EDGECAT_AGENT_ENDPOINT to the agent's --listen address"
      }
    case .unauthenticated where service == .agent:
      text +=
        "; check that \(settings.agentTokenFileDescription) is the --local-token-file of the"
        + " agent at \(endpoint)"
    case .unauthenticated:
      text += "; check the token from \(settings.tokenOrigin ?? "the settings")"
    case .deadlineExceeded:
      text += "; raise --timeout (seconds) or check that \(service.program) is responding"
    // edgecat's servers and grpc-go start the message with "unknown service" when nothing at
    // the endpoint serves the service, which means the endpoint points at another program.
    case .unimplemented where error.message.hasPrefix("unknown service"):
      text =
        "\(endpoint) does not serve \(service.grpcService) (it returned UNIMPLEMENTED);"
        + " check --\(service.endpointFlag)"
    case .unimplemented:
      text += "; this version of \(service.program) lacks the call, so update it"
    default:
      break
    }
    return CLIError(.failure, text, statusCode: error.code)
  }
}
