import EdgecatCore
import EdgecatRPC

extension ServiceError {
  /// The gRPC status for this error.
  public var rpcError: RPCError {
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

/// Runs a throwing engine call and maps its `ServiceError` to a gRPC status, for the service
/// layers over every engine.
public func mapped<Value>(_ body: () throws(ServiceError) -> Value) throws(RPCError) -> Value {
  do {
    return try body()
  } catch {
    throw error.rpcError
  }
}

/// Runs an asynchronous engine call and maps its `ServiceError` to a gRPC status.
public func mappedAsync<Value>(
  _ body: () async throws(ServiceError) -> Value
) async throws(RPCError) -> Value {
  do {
    return try await body()
  } catch {
    throw error.rpcError
  }
}
