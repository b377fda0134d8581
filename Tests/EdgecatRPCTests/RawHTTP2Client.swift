import CNGHTTP2
import Glibc

@testable import EdgecatRPC

/// An HTTP/2 client on a blocking loopback socket that sends the header fields it is given as
/// they are, with nghttp2's HTTP messaging checks off, so that a test can send requests that a
/// gRPC client would never build.
final class RawHTTP2Client {
  /// What the server sent back on the request's stream.
  struct Reply {
    /// Every header field of the response and its trailers, in order.
    var fields: [(name: String, value: String)] = []
    /// The RST_STREAM error code, when the server reset the stream.
    var resetCode: UInt32?

    /// Returns the value of the last field named `name`.
    func value(_ name: String) -> String? { fields.last { $0.name == name }?.value }

    /// The grpc-message with its percent-encoding undone.
    var grpcMessage: String? { value("grpc-message").map(PercentEncoding.decode) }
  }

  private let socketFD: Int32
  private var session: OpaquePointer?
  private var reply = Reply()
  private var closed = false
  private var body: [UInt8] = []
  private var bodyOffset = 0
  /// Trailers sent after the body, with no-copy memory that lives until the stream closes.
  private var trailers: [nghttp2_nv] = []
  private var trailersEndStream = true
  private var streamID: Int32 = 0

  init(port: UInt16) throws {
    socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let result = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard result == 0 else { throw RawClientError("connect to port \(port) failed: \(errno)") }

    var callbacks: OpaquePointer?
    nghttp2_session_callbacks_new(&callbacks)
    defer { nghttp2_session_callbacks_del(callbacks) }
    nghttp2_session_callbacks_set_on_header_callback(callbacks) {
      _, _, name, nameLength, value, valueLength, _, userData in
      let client = Unmanaged<RawHTTP2Client>.fromOpaque(userData!).takeUnretainedValue()
      client.reply.fields.append(
        (
          String(decoding: UnsafeBufferPointer(start: name, count: nameLength), as: UTF8.self),
          String(decoding: UnsafeBufferPointer(start: value, count: valueLength), as: UTF8.self)
        ))
      return 0
    }
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks) { _, frame, userData in
      let client = Unmanaged<RawHTTP2Client>.fromOpaque(userData!).takeUnretainedValue()
      if frame!.pointee.hd.type == UInt8(NGHTTP2_RST_STREAM.rawValue) {
        client.reply.resetCode = frame!.pointee.rst_stream.error_code
      }
      return 0
    }
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks) { _, _, _, userData in
      Unmanaged<RawHTTP2Client>.fromOpaque(userData!).takeUnretainedValue().closed = true
      return 0
    }
    var options: OpaquePointer?
    nghttp2_option_new(&options)
    defer { nghttp2_option_del(options) }
    nghttp2_option_set_no_http_messaging(options, 1)
    nghttp2_session_client_new2(
      &session, callbacks, Unmanaged.passUnretained(self).toOpaque(), options)
    nghttp2_submit_settings(session, 0, nil, 0)
  }

  deinit {
    nghttp2_session_del(session)
    close(socketFD)
  }

  /// Returns the header fields of a valid gRPC request to `path`, in the order gRPC clients
  /// send them.
  static func grpcFields(path: String) -> [(String, String)] {
    [
      (":method", "POST"), (":scheme", "http"), (":path", path), (":authority", "localhost"),
      ("content-type", "application/grpc"), ("te", "trailers"),
    ]
  }

  /// Sends one request with `fields` and `body`, ending the stream after it, and returns what
  /// the server sent until the stream closed. Non-empty `trailers` follow a non-empty body in
  /// a HEADERS frame, which ends the stream unless `trailersEndStream` is false.
  func send(
    _ fields: [(String, String)], body: [UInt8], trailers: [(String, String)] = [],
    trailersEndStream: Bool = true
  ) throws -> Reply {
    self.body = body
    bodyOffset = 0
    reply = Reply()
    closed = false
    self.trailersEndStream = trailersEndStream

    var provider = nghttp2_data_provider()
    provider.read_callback = { _, _, buffer, length, flags, _, userData in
      let client = Unmanaged<RawHTTP2Client>.fromOpaque(userData!).takeUnretainedValue()
      let count = min(length, client.body.count - client.bodyOffset)
      client.body.withUnsafeBytes {
        buffer!.update(
          from: $0.baseAddress!.advanced(by: client.bodyOffset).assumingMemoryBound(
            to: UInt8.self), count: count)
      }
      client.bodyOffset += count
      if client.bodyOffset == client.body.count {
        flags!.pointee |= UInt32(NGHTTP2_DATA_FLAG_EOF.rawValue)
        if !client.trailers.isEmpty {
          flags!.pointee |= UInt32(NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue)
          client.submitTrailers()
        }
      }
      return count
    }

    // Without the no-copy flags nghttp2 would lower-case the names as it copies them, so the
    // fields stay in this memory until the stream is closed.
    let copies = (fields + trailers).map { (copy($0.0), copy($0.1)) }
    defer {
      for (name, value) in copies {
        name.deallocate()
        value.deallocate()
      }
      self.trailers = []
    }
    let noCopy = NGHTTP2_NV_FLAG_NO_COPY_NAME.rawValue | NGHTTP2_NV_FLAG_NO_COPY_VALUE.rawValue
    let all = copies.map { name, value in
      nghttp2_nv(
        name: name.baseAddress!, value: value.baseAddress!, namelen: name.count - 1,
        valuelen: value.count - 1, flags: UInt8(noCopy))
    }
    let list = Array(all[..<fields.count])
    self.trailers = Array(all[fields.count...])

    // An empty body ends the stream with the HEADERS frame.
    let streamID =
      body.isEmpty
      ? nghttp2_submit_request(session, nil, list, list.count, nil, nil)
      : nghttp2_submit_request(session, nil, list, list.count, &provider, nil)
    guard streamID > 0 else { throw RawClientError("nghttp2_submit_request failed: \(streamID)") }
    self.streamID = streamID
    try run()
    return reply
  }

  /// Submits the trailers of the current request from inside the data provider's callback.
  private func submitTrailers() {
    let flags = trailersEndStream ? NGHTTP2_FLAG_END_STREAM : NGHTTP2_FLAG_NONE
    let result = nghttp2_submit_headers(
      session, UInt8(flags.rawValue), streamID, nil, trailers, trailers.count, nil)
    precondition(result == 0, "nghttp2_submit_headers failed with \(result)")
  }

  /// Copies `text` into new memory with a NUL after it, so that even an empty text has an
  /// address.
  private func copy(_ text: String) -> UnsafeMutableBufferPointer<UInt8> {
    let bytes = Array(text.utf8) + [0]
    let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count)
    _ = buffer.initialize(from: bytes)
    return buffer
  }

  /// Writes what the session has to send and reads until the stream closes.
  private func run() throws {
    var buffer = [UInt8](repeating: 0, count: 16_384)
    while !closed {
      while true {
        var data: UnsafePointer<UInt8>?
        let count = nghttp2_session_mem_send(session, &data)
        guard count > 0 else { break }
        guard write(socketFD, data, count) == count else {
          throw RawClientError("write to the server failed: \(errno)")
        }
      }
      var poller = pollfd(fd: socketFD, events: Int16(POLLIN), revents: 0)
      guard poll(&poller, 1, 5_000) == 1 else { throw RawClientError("no reply within 5 s") }
      let count = read(socketFD, &buffer, buffer.count)
      guard count > 0 else { throw RawClientError("the server closed the connection") }
      guard nghttp2_session_mem_recv(session, buffer, count) == count else {
        throw RawClientError("the server's bytes are not valid HTTP/2")
      }
    }
  }
}

struct RawClientError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
