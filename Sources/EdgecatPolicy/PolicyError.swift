import EdgecatStore

/// The kinds of failure the policy engine reports, named after the gRPC status codes they map to.
public enum PolicyErrorCode: String, Sendable, Hashable, CaseIterable {
  case invalidArgument = "INVALID_ARGUMENT"
  case notFound = "NOT_FOUND"
  case alreadyExists = "ALREADY_EXISTS"
  case failedPrecondition = "FAILED_PRECONDITION"
  case permissionDenied = "PERMISSION_DENIED"
  case unauthenticated = "UNAUTHENTICATED"
  case outOfRange = "OUT_OF_RANGE"
  case `internal` = "INTERNAL"
}

/// A failed policy operation: a code and a message that names the value at fault and the fix.
public struct PolicyError: Error, Sendable, Hashable, CustomStringConvertible {
  public var code: PolicyErrorCode
  public var message: String

  public init(code: PolicyErrorCode, message: String) {
    self.code = code
    self.message = message
  }

  public var description: String { "\(code.rawValue): \(message)" }

  static func invalidArgument(_ message: String) -> PolicyError {
    PolicyError(code: .invalidArgument, message: message)
  }

  static func notFound(_ message: String) -> PolicyError {
    PolicyError(code: .notFound, message: message)
  }

  static func permissionDenied(_ message: String) -> PolicyError {
    PolicyError(code: .permissionDenied, message: message)
  }

  /// Wraps a failure of the SQLite store, which callers cannot fix by changing the request.
  static func storage(_ error: any Error, operation: String) -> PolicyError {
    PolicyError(code: .internal, message: "\(operation) failed in the policy database: \(error)")
  }
}
