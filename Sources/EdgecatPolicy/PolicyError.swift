import EdgecatCore

/// The policy engine reports the failures every edgecat engine reports.
public typealias PolicyError = ServiceError
public typealias PolicyErrorCode = ServiceErrorCode

extension ServiceError {
  /// Wraps a failure of the policy database.
  static func storage(_ error: any Error, operation: String) -> ServiceError {
    storage(error, operation: operation, database: "policy")
  }
}
