/// The kinds of failure the edgecat service engines report, named after the gRPC status codes
/// they map to.
public enum ServiceErrorCode: String, Sendable, Hashable, CaseIterable {
  case invalidArgument = "INVALID_ARGUMENT"
  case notFound = "NOT_FOUND"
  case alreadyExists = "ALREADY_EXISTS"
  case failedPrecondition = "FAILED_PRECONDITION"
  case permissionDenied = "PERMISSION_DENIED"
  case unauthenticated = "UNAUTHENTICATED"
  case outOfRange = "OUT_OF_RANGE"
  case resourceExhausted = "RESOURCE_EXHAUSTED"
  case deadlineExceeded = "DEADLINE_EXCEEDED"
  /// The caller cancelled the call before it finished.
  case cancelled = "CANCELLED"
  case `internal` = "INTERNAL"
}

/// A failed operation of a service engine: a code and a message that names the value at fault
/// and the fix.
public struct ServiceError: Error, Sendable, Hashable, CustomStringConvertible {
  public var code: ServiceErrorCode
  public var message: String

  public init(code: ServiceErrorCode, message: String) {
    self.code = code
    self.message = message
  }

  public var description: String { "\(code.rawValue): \(message)" }

  public static func invalidArgument(_ message: String) -> ServiceError {
    ServiceError(code: .invalidArgument, message: message)
  }

  public static func notFound(_ message: String) -> ServiceError {
    ServiceError(code: .notFound, message: message)
  }

  public static func permissionDenied(_ message: String) -> ServiceError {
    ServiceError(code: .permissionDenied, message: message)
  }

  /// Wraps a failure of the SQLite store, which callers cannot fix by changing the request.
  /// `database` names the service whose database failed, such as "policy".
  public static func storage(_ error: any Error, operation: String, database: String)
    -> ServiceError
  {
    ServiceError(
      code: .internal, message: "\(operation) failed in the \(database) database: \(error)")
  }
}

extension ServiceError {
  public static func alreadyExists(_ message: String) -> ServiceError {
    ServiceError(code: .alreadyExists, message: message)
  }

  public static func failedPrecondition(_ message: String) -> ServiceError {
    ServiceError(code: .failedPrecondition, message: message)
  }

  /// A request over a limit, such as an artifact larger than the configured maximum.
  public static func resourceExhausted(_ message: String) -> ServiceError {
    ServiceError(code: .resourceExhausted, message: message)
  }

  /// Work stopped at a time cap, such as a query past its run-time limit.
  public static func deadlineExceeded(_ message: String) -> ServiceError {
    ServiceError(code: .deadlineExceeded, message: message)
  }
}
