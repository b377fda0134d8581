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
      case .internal: .internal
      }
    return RPCError(code, message)
  }
}
