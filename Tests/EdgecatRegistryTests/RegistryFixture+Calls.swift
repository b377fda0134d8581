import EdgecatProto
import EdgecatRPC

/// Unary calls to the three services.
extension RegistryFixture {
  /// Calls a registry method with `token`, in `environment` when it is set.
  func call<Request: ProtoMessage, Response: ProtoMessage>(
    _ method: String, _ request: Request, token: String, environment: String? = nil
  ) async throws(RPCError) -> Response {
    try await unary(
      registryEndpoint, "edgecat.registry.v1.ModelRegistryService", method, request, token,
      environment: environment)
  }

  func catalog<Request: ProtoMessage, Response: ProtoMessage>(
    _ method: String, _ request: Request, token: String, environment: String? = nil
  ) async throws(RPCError) -> Response {
    try await unary(
      catalogEndpoint, "edgecat.catalog.v1.CatalogService", method, request, token,
      environment: environment)
  }

  func policy<Request: ProtoMessage, Response: ProtoMessage>(
    _ method: String, _ request: Request, token: String
  ) async throws(RPCError) -> Response {
    try await unary(policyEndpoint, "edgecat.policy.v1.PolicyService", method, request, token)
  }

  /// Grants privileges as the admin.
  func grant(
    _ privileges: [String], on type: Edgecat_Policy_V1_SecurableType, _ name: String,
    to principal: String
  ) async throws(RPCError) {
    var request = Edgecat_Policy_V1_UpdatePrivilegesRequest()
    request.principal = principal
    request.privileges = privileges
    request.securableType = type
    request.securableFullName = name
    let _: Edgecat_Policy_V1_UpdatePrivilegesResponse = try await policy(
      "Grant", request, token: adminToken)
  }

  private func unary<Request: ProtoMessage, Response: ProtoMessage>(
    _ endpoint: Endpoint, _ service: String, _ method: String, _ request: Request,
    _ token: String, environment: String? = nil
  ) async throws(RPCError) -> Response {
    var metadata = Metadata()
    metadata.add("authorization", "Bearer \(token)")
    if let environment { metadata.add("x-edgecat-environment", environment) }
    let client = RPCClient(endpoint: endpoint, group: group)
    defer { client.close() }
    return try await client.unary(
      "/\(service)/\(method)", request, metadata: metadata, timeout: .seconds(20))
  }

  /// Polls `condition` every 20 ms, up to 500 times, until it holds, and returns whether it did.
  func eventually(_ condition: () async throws -> Bool) async rethrows -> Bool {
    for _ in 0..<500 {
      if try await condition() { return true }
      try? await Task.sleep(for: .milliseconds(20))
    }
    return false
  }
}
