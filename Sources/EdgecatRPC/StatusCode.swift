/// A gRPC status code, as sent in the `grpc-status` trailer.
public enum StatusCode: Int, Sendable, CaseIterable, CustomStringConvertible {
  case ok = 0
  case cancelled = 1
  case unknown = 2
  case invalidArgument = 3
  case deadlineExceeded = 4
  case notFound = 5
  case alreadyExists = 6
  case permissionDenied = 7
  case resourceExhausted = 8
  case failedPrecondition = 9
  case aborted = 10
  case outOfRange = 11
  case unimplemented = 12
  case `internal` = 13
  case unavailable = 14
  case dataLoss = 15
  case unauthenticated = 16

  /// The upper-case name that gRPC documentation and tools print, such as `NOT_FOUND`.
  public var description: String {
    switch self {
    case .ok: "OK"
    case .cancelled: "CANCELLED"
    case .unknown: "UNKNOWN"
    case .invalidArgument: "INVALID_ARGUMENT"
    case .deadlineExceeded: "DEADLINE_EXCEEDED"
    case .notFound: "NOT_FOUND"
    case .alreadyExists: "ALREADY_EXISTS"
    case .permissionDenied: "PERMISSION_DENIED"
    case .resourceExhausted: "RESOURCE_EXHAUSTED"
    case .failedPrecondition: "FAILED_PRECONDITION"
    case .aborted: "ABORTED"
    case .outOfRange: "OUT_OF_RANGE"
    case .unimplemented: "UNIMPLEMENTED"
    case .internal: "INTERNAL"
    case .unavailable: "UNAVAILABLE"
    case .dataLoss: "DATA_LOSS"
    case .unauthenticated: "UNAUTHENTICATED"
    }
  }

  /// Maps an HTTP status of a response that carried no `grpc-status`, as the gRPC HTTP/2
  /// protocol description specifies for clients.
  public init(httpStatus: Int) {
    switch httpStatus {
    case 400: self = .internal
    case 401: self = .unauthenticated
    case 403: self = .permissionDenied
    case 404: self = .unimplemented
    case 429, 502, 503, 504: self = .unavailable
    default: self = .unknown
    }
  }
}

/// The outcome of a call: a code, a message for people, and the trailing metadata.
public struct RPCStatus: Sendable, CustomStringConvertible {
  public var code: StatusCode
  public var message: String
  public var trailers: Metadata

  public init(code: StatusCode, message: String = "", trailers: Metadata = Metadata()) {
    self.code = code
    self.message = message
    self.trailers = trailers
  }

  public static let ok = RPCStatus(code: .ok)

  public var description: String { message.isEmpty ? "\(code)" : "\(code): \(message)" }
}

/// An error that ends a call with a gRPC status. Handlers throw it to choose the status; any
/// other error a handler throws ends the call with UNKNOWN and is logged.
public struct RPCError: Error, Sendable, CustomStringConvertible {
  public var code: StatusCode
  public var message: String
  /// Trailing metadata sent with the status.
  public var metadata: Metadata

  public init(_ code: StatusCode, _ message: String, metadata: Metadata = Metadata()) {
    self.code = code
    self.message = message
    self.metadata = metadata
  }

  public init(status: RPCStatus) {
    self.init(status.code, status.message, metadata: status.trailers)
  }

  public var status: RPCStatus { RPCStatus(code: code, message: message, trailers: metadata) }

  public var description: String { message.isEmpty ? "\(code)" : "\(code): \(message)" }
}
