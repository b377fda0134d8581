import CNGHTTP2
import EdgecatLog

extension ServerConnection {
  /// Submits `:status 200` and the initial metadata, with the call's outbound buffer as the
  /// data source for every later message and the trailers.
  func submitResponseHeaders(_ call: ServerCall) {
    guard !call.finished, !call.headersSubmitted, let outbound = call.outbound,
      calls[call.streamID] != nil
    else { return }
    call.headersSubmitted = true
    let custom = call.responseMetadata.headers
    var headers = [(":status", "200"), ("content-type", "application/grpc")]
    headers.reserveCapacity(3 + custom.entries.count)
    if let requestID = call.context?.requestID { headers.append(("x-request-id", requestID)) }
    if !custom.isEmpty { headers.append(contentsOf: custom.wireHeaders()) }
    var provider = nghttp2_data_provider(
      source: nghttp2_data_source(ptr: Unmanaged.passUnretained(outbound).toOpaque()),
      read_callback: outboundReadCallback)
    let result = HeaderList.withHeaders(headers) { list, count in
      nghttp2_submit_response(session, call.streamID, list, count, &provider)
    }
    if result != 0 {
      logger.error("nghttp2_submit_response failed", ["code": result])
      call.finished = true
      nghttp2_submit_rst_stream(session, 0, call.streamID, UInt32(NGHTTP2_INTERNAL_ERROR.rawValue))
    }
    loop.scheduleFlush(self)
  }

  func resumeData(_ call: ServerCall) {
    guard call.headersSubmitted, calls[call.streamID] != nil else { return }
    nghttp2_session_resume_data(session, call.streamID)
    loop.scheduleFlush(self)
  }

  /// Ends a call with `status`: trailers after the queued messages, or a trailers-only response
  /// when nothing was sent yet. Later calls for the same stream do nothing.
  func finish(_ call: ServerCall, status: RPCStatus) {
    guard !call.finished, calls[call.streamID] != nil else { return }
    if let timer = call.deadlineTimer {
      loop.cancelTimer(timer)
      call.deadlineTimer = nil
    }
    let metadata = call.responseMetadata
    var trailers = [("grpc-status", String(status.code.rawValue))]
    if !status.message.isEmpty {
      trailers.append(("grpc-message", PercentEncoding.encode(Self.bounded(status.message))))
    }
    if !metadata.trailers.isEmpty { trailers.append(contentsOf: metadata.trailers.wireHeaders()) }
    if !status.trailers.isEmpty { trailers.append(contentsOf: status.trailers.wireHeaders()) }
    logCompletion(call, status: status)

    if !call.headersSubmitted && (call.outbound?.isEmpty ?? true) {
      call.finished = true
      var headers = [(":status", "200"), ("content-type", "application/grpc")]
      if let requestID = call.context?.requestID { headers.append(("x-request-id", requestID)) }
      headers.append(contentsOf: metadata.headers.wireHeaders())
      headers.append(contentsOf: trailers)
      let result = HeaderList.withHeaders(headers) { list, count in
        nghttp2_submit_response(session, call.streamID, list, count, nil)
      }
      if result != 0 {
        logger.error("nghttp2_submit_response failed", ["code": result])
        nghttp2_submit_rst_stream(
          session, UInt8(NGHTTP2_FLAG_NONE.rawValue), call.streamID,
          UInt32(NGHTTP2_INTERNAL_ERROR.rawValue))
      }
      call.outbound?.fail(RPCError(.cancelled, "the call has ended"))
      loop.scheduleFlush(self)
      return
    }
    if !call.headersSubmitted { submitResponseHeaders(call) }
    call.finished = true
    if call.outbound?.finish(.trailers(trailers)) == true {
      nghttp2_session_resume_data(session, call.streamID)
    }
    loop.scheduleFlush(self)
  }

  func logCompletion(_ call: ServerCall, status: RPCStatus) {
    guard logger.isEnabled(.debug) else { return }
    let micros = (MonotonicClock.now() - call.startTime) / 1_000
    logger.debug(
      "rpc finished",
      [
        "rpc.method": call.context?.method ?? "", "request.id": call.context?.requestID ?? "",
        "status": status.code, "duration_us": micros,
      ])
  }

  /// Resets a stream whose response ended while the client was still sending, as gRPC servers
  /// do, so the client stops sending. Whether the client is still sending comes from nghttp2's
  /// stream state, which costs less than finding the call.
  func responseEnded(_ streamID: Int32) {
    guard nghttp2_session_get_stream_remote_close(session, streamID) == 0 else { return }
    nghttp2_submit_rst_stream(
      session, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, UInt32(NGHTTP2_NO_ERROR.rawValue))
  }
}

extension ServerConnection {
  /// Maximum status message sent, in UTF-8 bytes, because gRPC clients reject header blocks
  /// over a few KiB and nghttp2 cannot send one over 64 KiB.
  static let maximumStatusMessageBytes = 1024
  /// Bytes kept from the end of a longer message, where messages name the fix.
  static let keptStatusMessageTailBytes = 256

  /// Returns `message`, or for a longer one its start and its end around a note of the bytes
  /// left out, cut at character boundaries. Keeping the end matters because a long value
  /// quoted in the middle of a message, such as an invalid name, would push out the fix.
  static func bounded(_ message: String) -> String {
    guard message.utf8.count > maximumStatusMessageBytes else { return message }
    let bytes = Array(message.utf8)
    // A UTF-8 continuation byte (10xxxxxx) cannot start a character, so each cut moves off one.
    // 40 bytes are left for the note.
    var headEnd = maximumStatusMessageBytes - keptStatusMessageTailBytes - 40
    while headEnd > 0 && bytes[headEnd] & 0xC0 == 0x80 { headEnd -= 1 }
    var tailStart = bytes.count - keptStatusMessageTailBytes
    while tailStart < bytes.count && bytes[tailStart] & 0xC0 == 0x80 { tailStart += 1 }
    let head = String(decoding: bytes[..<headEnd], as: UTF8.self)
    let tail = String(decoding: bytes[tailStart...], as: UTF8.self)
    return head + "... (\(tailStart - headEnd) bytes left out) ..." + tail
  }
}
