import CNGHTTP2

/// Creates nghttp2 client sessions whose callbacks forward to a `ClientConnection`, recovered
/// from `user_data` unretained: the connection owns the session and deletes it in `deinit`.
enum ClientSessionFactory {
  static func makeSession(owner: ClientConnection, memory: SessionMemory) -> OpaquePointer {
    var callbacks: OpaquePointer?
    precondition(nghttp2_session_callbacks_new(&callbacks) == 0)
    defer { nghttp2_session_callbacks_del(callbacks) }
    nghttp2_session_callbacks_set_on_header_callback(callbacks, clientHeader)
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, clientFrameReceived)
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, clientDataChunk)
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, clientStreamClosed)
    nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, clientFrameSent)

    var options: OpaquePointer?
    precondition(nghttp2_option_new(&options) == 0)
    defer { nghttp2_option_del(options) }
    // The connection returns window only as the caller reads, so a slow reader slows its server.
    nghttp2_option_set_no_auto_window_update(options, 1)

    var session: OpaquePointer?
    var allocator = memory.allocator
    let result = nghttp2_session_client_new3(
      &session, callbacks, Unmanaged.passUnretained(owner).toOpaque(), options, &allocator)
    precondition(result == 0, "nghttp2_session_client_new3 failed with \(result)")
    return session!
  }
}

private func connection(_ userData: UnsafeMutableRawPointer?) -> ClientConnection {
  Unmanaged<ClientConnection>.fromOpaque(userData!).takeUnretainedValue()
}

private let clientHeader: nghttp2_on_header_callback = {
  _, frame, name, nameLength, value, valueLength, _, userData in
  let frame = frame!.pointee
  guard frame.hd.type == UInt8(NGHTTP2_HEADERS.rawValue) else { return 0 }
  let nameText = String(
    decoding: UnsafeBufferPointer(start: name, count: nameLength), as: UTF8.self)
  let valueText = String(
    decoding: UnsafeBufferPointer(start: value, count: valueLength), as: UTF8.self)
  connection(userData).receiveHeader(frame.hd.stream_id, name: nameText, value: valueText)
  return 0
}

private let clientFrameReceived: nghttp2_on_frame_recv_callback = { _, frame, userData in
  let frame = frame!.pointee
  let endStream = frame.hd.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
  switch Int(frame.hd.type) {
  case Int(NGHTTP2_HEADERS.rawValue):
    connection(userData).receiveHeaders(frame.hd.stream_id, endStream: endStream)
  case Int(NGHTTP2_GOAWAY.rawValue):
    connection(userData).receivedGoAway()
  case Int(NGHTTP2_SETTINGS.rawValue):
    if frame.hd.flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) == 0 {
      connection(userData).receivedSettings()
    }
  default:
    break
  }
  return 0
}

private let clientDataChunk: nghttp2_on_data_chunk_recv_callback = {
  _, _, streamID, data, length, userData in
  connection(userData).receiveData(streamID, UnsafeRawBufferPointer(start: data, count: length))
  return 0
}

private let clientStreamClosed: nghttp2_on_stream_close_callback = {
  _, streamID, errorCode, userData in
  connection(userData).streamClosed(streamID, errorCode: errorCode)
  return 0
}

private let clientFrameSent: nghttp2_on_frame_send_callback = { _, frame, userData in
  let frame = frame!.pointee
  if frame.hd.type == UInt8(NGHTTP2_HEADERS.rawValue) {
    connection(userData).requestHeadersSent(frame.hd.stream_id)
  }
  return 0
}
