/// Failure to decode a protobuf message, with a sentence that names the message and field.
public struct ProtoDecodingError: Error, Sendable, CustomStringConvertible {
  /// Sentence that describes the invalid input, for example
  /// `field "text" of edgecat.testing.v1.EchoRequest is not valid UTF-8`.
  public let message: String

  public init(message: String) {
    self.message = message
  }

  public var description: String {
    message
  }
}
