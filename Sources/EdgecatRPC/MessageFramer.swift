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

  /// Appends received bytes and returns every message they complete, in order.
  mutating func append(_ bytes: UnsafeRawBufferPointer) throws(Failure) -> [[UInt8]] {
    buffer.append(contentsOf: bytes)
    var messages: [[UInt8]] = []
    while buffer.count - readOffset >= 5 {
      let flag = buffer[readOffset]
      let length =
        Int(buffer[readOffset + 1]) << 24 | Int(buffer[readOffset + 2]) << 16
        | Int(buffer[readOffset + 3]) << 8 | Int(buffer[readOffset + 4])
      if length > maximumMessageSize { throw .tooLarge(length: length, limit: maximumMessageSize) }
      if flag != 0 { throw .compressed }
      guard buffer.count - readOffset - 5 >= length else { break }
      let start = readOffset + 5
      messages.append(Array(buffer[start..<start + length]))
      readOffset = start + length
    }
    if readOffset == buffer.count {
      buffer.removeAll(keepingCapacity: buffer.capacity <= 65_536)
      readOffset = 0
    } else if readOffset > 65_536 {
      buffer.removeFirst(readOffset)
      readOffset = 0
    }
    return messages
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
