/// A protobuf message with a Swift value type, encoded and decoded by protobuf-c.
///
/// The generated types in `Generated/` conform to it. Unknown fields are skipped when decoding and
/// are not kept for encoding. Map fields are encoded in sorted key order, so equal messages encode
/// to equal bytes.
public protocol ProtoMessage: Sendable, Equatable {
  /// Creates a message with every field at its proto3 default.
  init()

  /// Decodes the protobuf wire format of this message type.
  ///
  /// Throws when the bytes are not a valid encoding, or when a string field is not valid UTF-8 or
  /// contains a NUL byte.
  init(serializedBytes: [UInt8]) throws(ProtoDecodingError)

  /// Encodes the message in the protobuf wire format, into an array with room for
  /// `extraCapacity` more bytes, so that a caller can append fields without a copy.
  ///
  /// NOTE: protobuf-c stores strings as C strings, so a string field that contains a NUL byte is
  /// encoded only up to that byte.
  func serializedBytes(extraCapacity: Int) -> [UInt8]

  /// Full proto name of the message type, such as "edgecat.testing.v1.EchoRequest".
  static var protoMessageName: String { get }
}

extension ProtoMessage {
  /// Encodes the message in the protobuf wire format.
  public func serializedBytes() -> [UInt8] {
    serializedBytes(extraCapacity: 0)
  }
}
