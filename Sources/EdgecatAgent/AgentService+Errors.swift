import EdgecatCore
import EdgecatRPC

extension ServiceError {
  /// The gRPC status for this error, as `EdgecatServiceKit` maps it for the services. The agent
  /// keeps its own copy because it does not link the service kit and its libcrypto.
  var rpcError: RPCError {
    let code: StatusCode =
      switch self.code {
      case .invalidArgument: .invalidArgument
      case .notFound: .notFound
      case .alreadyExists: .alreadyExists
      case .failedPrecondition: .failedPrecondition
      case .permissionDenied: .permissionDenied
      case .unauthenticated: .unauthenticated
      case .outOfRange: .outOfRange
      case .resourceExhausted: .resourceExhausted
      case .deadlineExceeded: .deadlineExceeded
      case .cancelled: .cancelled
      case .internal: .internal
      }
    return RPCError(code, message)
  }
}

/// Runs an asynchronous agent call and maps its `ServiceError` to a gRPC status.
func mappedAsync<Value>(_ body: () async throws(ServiceError) -> Value) async throws(RPCError)
  -> Value
{
  do {
    return try await body()
  } catch {
    throw error.rpcError
  }
}

/// Returns the token of an `authorization: Bearer <token>` header, nil when the header is
/// missing, uses another scheme or appears more than once.
func bearerToken(_ metadata: Metadata) -> String? {
  guard metadata.entries.filter({ $0.key == "authorization" }).count == 1,
    let value = metadata["authorization"]
  else { return nil }
  let prefix = "bearer "
  guard value.count > prefix.count, value.lowercased().hasPrefix(prefix) else { return nil }
  let token = value.dropFirst(prefix.count).drop { $0 == " " }
  return token.isEmpty ? nil : String(token)
}
