/// A problem that `WireValidator` found, with the field path where it found it.
struct WireFault: Error {
  enum Problem {
    case invalidUTF8
    case nulByte
    /// A value of this description starts at the byte offset but runs past its end.
    case truncated(String)
    /// A varint that continues past the 10 bytes that any 64-bit value needs.
    case overlongVarint
    case invalidWireType(UInt64)
    case groupWireType(UInt64)
    case invalidFieldNumber(UInt64)
    case tooDeep
  }

  let problem: Problem
  /// Byte offset in the input where the problem starts.
  let offset: Int
  /// Names of the fields from the top-level message down to the field with the problem.
  var path: [String] = []

  /// Returns the error for callers, as a sentence naming the field and `root`, the message type.
  func decodingError(root: String) -> ProtoDecodingError {
    let field = path.joined(separator: ".")
    let location = path.isEmpty ? "" : " in field \"\(field)\""
    let message: String
    switch problem {
    case .invalidUTF8:
      message = "field \"\(field)\" of \(root) is not valid UTF-8"
    case .nulByte:
      message =
        "field \"\(field)\" of \(root) contains a NUL byte, which protobuf-c strings cannot hold"
    case .truncated(let what):
      message =
        "invalid \(root)\(location): \(what) at byte \(offset) runs past the end of the input"
    case .overlongVarint:
      message = "invalid \(root)\(location): the varint at byte \(offset) is longer than 10 bytes"
    case .invalidWireType(let type):
      message = "invalid \(root)\(location): wire type \(type) at byte \(offset) is not valid"
    case .groupWireType(let type):
      message =
        "invalid \(root)\(location): wire type \(type) at byte \(offset) is a group,"
        + " which protobuf-c does not support"
    case .invalidFieldNumber(let number):
      message =
        "invalid \(root)\(location): field number \(number) at byte \(offset) is out of range"
    case .tooDeep:
      message =
        "invalid \(root)\(location): messages nest deeper than \(WireValidator.maxDepth) levels"
    }
    return ProtoDecodingError(message: message)
  }
}
