import EdgecatProto

extension Invocation {
  /// Calls a unary method of the edge agent's local service with the agent's local token,
  /// which it reads from the settings' agent token file on each call.
  func callAgent<Request: ProtoMessage, Response: ProtoMessage>(
    _ method: String, _ request: Request, as responseType: Response.Type = Response.self
  ) async throws -> Response {
    let token = try settings.agentToken(console: console)
    return try await clients.call(.agent, method, request, as: responseType, bearerToken: token)
  }
}
