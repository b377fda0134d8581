import EdgecatRPC

/// A failure of one `edgecat` command, with the exit status it ends the program with.
///
/// The message names the value at fault and the fix; `edgecat` prints it on stderr.
public struct CLIError: Error, Sendable, CustomStringConvertible {
  public enum Kind: Sendable {
    /// A bad command line or configuration: exit status 2.
    case usage
    /// A request that failed or a check that was denied: exit status 1.
    case failure
  }

  public var kind: Kind
  public var message: String
  /// The gRPC status of the call that failed; nil for failures of the CLI itself.
  public var statusCode: StatusCode?

  public init(_ kind: Kind, _ message: String, statusCode: StatusCode? = nil) {
    self.kind = kind
    self.message = message
    self.statusCode = statusCode
  }

  public static func usage(_ message: String) -> CLIError { CLIError(.usage, message) }

  public static func failure(_ message: String) -> CLIError { CLIError(.failure, message) }

  public var exitCode: Int32 { kind == .usage ? 2 : 1 }

  public var description: String { message }
}
