import CNGHTTP2

/// The one response of a synchronous unary call: its message, which DATA frames take straight
/// from the handler's array after a 5-byte gRPC prefix, and the custom trailers that follow
/// `grpc-status 0`. Loop thread only.
struct SynchronousResponse {
  private(set) var message: [UInt8] = []
  private(set) var trailers: [(String, String)] = []
  /// Bytes of prefix and message read so far.
  private var offset = 0

  init() {}

  init(message: [UInt8], trailers: [(String, String)]) {
    self.message = message
    self.trailers = trailers
  }

  var isComplete: Bool { offset == message.count + 5 }

  /// Copies up to `capacity` bytes of prefix and message that were not read yet and returns the
  /// count copied.
  mutating func read(into destination: UnsafeMutablePointer<UInt8>, capacity: Int) -> Int {
    var copied = 0
    while offset < 5 && copied < capacity {
      // A 0 flag for an uncompressed message, then the length in 4 big-endian bytes.
      destination[copied] =
        offset == 0 ? 0 : UInt8(truncatingIfNeeded: message.count >> (8 * (4 - offset)))
      offset += 1
      copied += 1
    }
    let count = min(capacity - copied, message.count + 5 - offset)
    if count > 0 {
      let start = offset - 5
      message.withUnsafeBufferPointer { source in
        (destination + copied).update(from: source.baseAddress! + start, count: count)
      }
      offset += count
      copied += count
    }
    return copied
  }
}

/// nghttp2's data source callback for the response of a synchronous call: `source.ptr` is the
/// ServerCall, unretained, which its connection keeps until nghttp2 closes the stream.
let synchronousReadCallback: nghttp2_data_source_read_callback = {
  session, streamID, destination, capacity, flags, source, _ in
  let call = Unmanaged<ServerCall>.fromOpaque(source!.pointee.ptr).takeUnretainedValue()
  let count = call.synchronousResponse.read(into: destination!, capacity: capacity)
  guard call.synchronousResponse.isComplete else { return count }
  flags!.pointee |= UInt32(NGHTTP2_DATA_FLAG_EOF.rawValue | NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue)
  let result = HeaderList.withOKTrailers(custom: call.synchronousResponse.trailers) {
    list, length in
    nghttp2_submit_trailer(session, streamID, list, length)
  }
  // A trailer block nghttp2 cannot take resets this stream only, not the connection.
  if result != 0 { return ssize_t(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue) }
  return count
}
