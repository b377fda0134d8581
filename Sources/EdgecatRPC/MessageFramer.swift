/// Splits a stream of DATA bytes into gRPC messages: each is a 1-byte compressed flag, a 4-byte
/// big-endian length and that many bytes. Bytes may arrive split at any boundary.
struct MessageDeframer {
  enum Failure: Error {
    case tooLarge(length: Int, limit: Int)
    case compressed

    /// The status a call ends with when its peer sent this.
    var status: RPCStatus {
      switch self {
      case .tooLarge(let length, let limit):
        RPCStatus(
          code: .resourceExhausted,
          message: "received message of \(length) bytes exceeds the limit of \(limit) bytes")
      case .compressed:
        RPCStatus(
          code: .internal,
          message: "received a compressed message, but no grpc-encoding was negotiated")
      }
    }
  }

  let maximumMessageSize: Int
  private var buffer: [UInt8] = []
  private var readOffset = 0

  init(maximumMessageSize: Int) {
    self.maximumMessageSize = maximumMessageSize
  }

  /// True while a message has started but not all of its bytes arrived.
  var hasPartialMessage: Bool { buffer.count > readOffset }

  /// Passes every message that received bytes complete to `receive`, in order. Bytes that start
  /// at a message boundary, as a unary request's do, are copied from `bytes` straight into their
  /// message, so only an unfinished message's bytes wait in the buffer.
  mutating func append(_ bytes: UnsafeRawBufferPointer, _ receive: ([UInt8]) -> Void)
    throws(Failure)
  {
    guard buffer.isEmpty else { return try appendBuffered(bytes, receive) }
    let consumed = try deframe(bytes, receive)
    if consumed < bytes.count {
      buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[consumed...]))
    }
  }

  private mutating func appendBuffered(
    _ bytes: UnsafeRawBufferPointer, _ receive: ([UInt8]) -> Void
  ) throws(Failure) {
    buffer.append(contentsOf: bytes)
    let start = readOffset
    let consumed = buffer.withUnsafeBytes { buffered in
      Result { () throws(Failure) in
        try deframe(UnsafeRawBufferPointer(rebasing: buffered[start...]), receive)
      }
    }
    readOffset += try consumed.get()
    if readOffset == buffer.count {
      buffer.removeAll(keepingCapacity: buffer.capacity <= 65_536)
      readOffset = 0
    } else if readOffset > 65_536 {
      buffer.removeFirst(readOffset)
      readOffset = 0
    }
  }

  /// Passes each whole message at the start of `bytes` to `receive` and returns the bytes they
  /// took.
  private func deframe(_ bytes: UnsafeRawBufferPointer, _ receive: ([UInt8]) -> Void)
    throws(Failure) -> Int
  {
    var offset = 0
    while bytes.count - offset >= 5 {
      let flag = bytes[offset]
      let length =
        Int(bytes[offset + 1]) << 24 | Int(bytes[offset + 2]) << 16
        | Int(bytes[offset + 3]) << 8 | Int(bytes[offset + 4])
      if length > maximumMessageSize { throw .tooLarge(length: length, limit: maximumMessageSize) }
      if flag != 0 { throw .compressed }
      let start = offset + 5
      guard bytes.count - start >= length else { break }
      receive(Array(UnsafeRawBufferPointer(rebasing: bytes[start..<start + length])))
      offset = start + length
    }
    return offset
  }
}

enum MessageFramer {
  /// Returns `message` with its 5-byte prefix, uncompressed.
  static func frame(_ message: [UInt8]) -> [UInt8] {
    var framed = [UInt8]()
    framed.reserveCapacity(message.count + 5)
    appendFrame(message, to: &framed)
    return framed
  }

  static func appendFrame(_ message: [UInt8], to output: inout [UInt8]) {
    let length = UInt32(message.count)
    output.append(0)
    output.append(UInt8(length >> 24))
    output.append(UInt8(length >> 16 & 0xFF))
    output.append(UInt8(length >> 8 & 0xFF))
    output.append(UInt8(length & 0xFF))
    output.append(contentsOf: message)
  }
}
