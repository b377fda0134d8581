import CNGHTTP2

/// Creates nghttp2 server sessions whose callbacks forward to a `ServerConnection`, recovered
/// from `user_data` unretained: the connection owns the session and deletes it in `deinit`.
enum ServerSessionFactory {
  static func makeSession(
    owner: ServerConnection, configuration: ServerConfiguration, memory: SessionMemory
  ) -> OpaquePointer {
    var callbacks: OpaquePointer?
    precondition(nghttp2_session_callbacks_new(&callbacks) == 0)
    defer { nghttp2_session_callbacks_del(callbacks) }
    nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, serverBeginHeaders)
    nghttp2_session_callbacks_set_on_header_callback(callbacks, serverHeader)
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, serverFrameReceived)
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, serverDataChunk)
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, serverStreamClosed)
    nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, serverFrameSent)

    var options: OpaquePointer?
    precondition(nghttp2_option_new(&options) == 0)
    defer { nghttp2_option_del(options) }
    // The connection returns window only as handlers read, so a slow handler slows its client.
    nghttp2_option_set_no_auto_window_update(options, 1)
    nghttp2_option_set_max_deflate_dynamic_table_size(options, 4096)
    // gRPC does not rely on RFC 7540 stream priorities, so closed streams need not be kept in
    // a priority tree. The server's SETTINGS turn those priorities off as well.
    nghttp2_option_set_no_closed_streams(options, 1)
    // RequestHead checks the request fields itself, once per distinct field on a connection,
    // which nghttp2 would do for every field of every request.
    nghttp2_option_set_no_http_messaging(options, 1)

    var session: OpaquePointer?
    var allocator = memory.allocator
    let result = nghttp2_session_server_new3(
      &session, callbacks, Unmanaged.passUnretained(owner).toOpaque(), options, &allocator)
    precondition(result == 0, "nghttp2_session_server_new3 failed with \(result)")
    return session!
  }
}

/// Calls `body` with the connection in `userData` without retaining it. Its timers reference
/// it weakly, which sends each retain and release through the runtime's slow path, and the
/// callbacks run only inside the connection's own calls to nghttp2, whose callers keep it alive.
private func withConnection(
  _ userData: UnsafeMutableRawPointer?, _ body: (ServerConnection) -> Void
) {
  Unmanaged<ServerConnection>.fromOpaque(userData!)._withUnsafeGuaranteedRef(body)
}

private let serverBeginHeaders: nghttp2_on_begin_headers_callback = { _, frame, userData in
  let frame = frame!.pointee
  if frame.hd.type == UInt8(NGHTTP2_HEADERS.rawValue) && frame.headers.cat == NGHTTP2_HCAT_REQUEST {
    withConnection(userData) { $0.beginStream(frame.hd.stream_id) }
  }
  return 0
}

private let serverHeader: nghttp2_on_header_callback = {
  _, frame, name, nameLength, value, valueLength, _, userData in
  let frame = frame!.pointee
  guard frame.hd.type == UInt8(NGHTTP2_HEADERS.rawValue) else { return 0 }
  let name = UnsafeBufferPointer(start: name, count: nameLength)
  let value = UnsafeBufferPointer(start: value, count: valueLength)
  if frame.headers.cat == NGHTTP2_HCAT_REQUEST {
    withConnection(userData) { $0.receiveHeader(frame.hd.stream_id, name: name, value: value) }
  } else if frame.headers.cat == NGHTTP2_HCAT_HEADERS {
    withConnection(userData) {
      $0.receiveTrailerField(frame.hd.stream_id, name: name, value: value)
    }
  }
  return 0
}

private let serverFrameReceived: nghttp2_on_frame_recv_callback = { _, frame, userData in
  let frame = frame!.pointee
  let endStream = frame.hd.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
  switch Int(frame.hd.type) {
  case Int(NGHTTP2_HEADERS.rawValue):
    if frame.headers.cat == NGHTTP2_HCAT_REQUEST {
      withConnection(userData) { $0.dispatch(frame.hd.stream_id, endStream: endStream) }
    } else {
      withConnection(userData) { $0.receiveTrailers(frame.hd.stream_id, endStream: endStream) }
    }
  case Int(NGHTTP2_DATA.rawValue):
    if endStream { withConnection(userData) { $0.receiveEndOfStream(frame.hd.stream_id) } }
  default:
    break
  }
  return 0
}

private let serverDataChunk: nghttp2_on_data_chunk_recv_callback = {
  _, _, streamID, data, length, userData in
  withConnection(userData) {
    $0.receiveData(streamID, UnsafeRawBufferPointer(start: data, count: length))
  }
  return 0
}

private let serverStreamClosed: nghttp2_on_stream_close_callback = {
  _, streamID, errorCode, userData in
  withConnection(userData) { $0.streamClosed(streamID, errorCode: errorCode) }
  return 0
}

private let serverFrameSent: nghttp2_on_frame_send_callback = { _, frame, userData in
  let frame = frame!.pointee
  let type = Int(frame.hd.type)
  if type == Int(NGHTTP2_GOAWAY.rawValue) && frame.goaway.error_code != 0 {
    withConnection(userData) { $0.sentGoAway(errorCode: frame.goaway.error_code) }
    return 0
  }
  let endStream = frame.hd.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
  if endStream && (type == Int(NGHTTP2_HEADERS.rawValue) || type == Int(NGHTTP2_DATA.rawValue)) {
    withConnection(userData) { $0.responseEnded(frame.hd.stream_id) }
  }
  return 0
}
