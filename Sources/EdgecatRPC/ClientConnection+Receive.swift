import CNGHTTP2

extension ClientConnection {
  func receiveHeader(_ streamID: Int32, name: String, value: String) {
    calls[streamID]?.responseFields.append((name, value))
  }

  /// Handles a complete HEADERS frame: the response headers, or the trailers that end the call.
  func receiveHeaders(_ streamID: Int32, endStream: Bool) {
    guard let call = calls[streamID] else { return }
    let fields = call.responseFields
    call.responseFields = []
    if !call.receivedHeaders {
      call.receivedHeaders = true
      let httpStatus = fields.first { $0.0 == ":status" }.flatMap { Int($0.1) } ?? 0
      if !endStream {
        guard httpStatus == 200 else {
          return reset(
            call,
            status: RPCStatus(
              code: StatusCode(httpStatus: httpStatus),
              message: "the server responded with HTTP status \(httpStatus)"))
        }
        call.deliverHeaders(Self.metadata(from: fields))
        return
      }
      // A trailers-only response carries the status in its one HEADERS frame.
      call.deliverHeaders(Metadata())
      call.complete(Self.status(from: fields, httpStatus: httpStatus))
      return
    }
    if endStream { finishWithTrailers(call, fields) }
  }

  private func finishWithTrailers(_ call: ClientCall, _ fields: [(String, String)]) {
    if call.deframer.hasPartialMessage {
      call.complete(
        RPCStatus(code: .internal, message: "the response stream ended inside a message"))
      return
    }
    call.complete(Self.status(from: fields, httpStatus: 200))
  }

  func receiveData(_ streamID: Int32, _ bytes: UnsafeRawBufferPointer) {
    guard let call = calls[streamID], !call.isComplete else {
      nghttp2_session_consume(session, streamID, bytes.count)
      return
    }
    // Window goes back to the server only while the caller keeps up with its responses.
    if call.inbound.bufferedBytes < configuration.inboundHighWater {
      nghttp2_session_consume(session, streamID, bytes.count)
    } else {
      call.deferredConsume.add(bytes.count)
    }
    do {
      try call.deframer.append(bytes) { call.inbound.push($0) }
    } catch {
      reset(call, status: error.status)
    }
  }

  func streamClosed(_ streamID: Int32, errorCode: UInt32) {
    guard let call = calls.removeValue(forKey: streamID) else { return }
    let deferred = call.deferredConsume.take()
    if deferred > 0 { nghttp2_session_consume_connection(session, deferred) }
    if let timer = call.deadlineTimer { loop.cancelTimer(timer) }
    guard !call.isComplete else { return }
    let status: RPCStatus
    switch errorCode {
    case UInt32(NGHTTP2_REFUSED_STREAM.rawValue):
      // The server did not process the stream (RFC 7540 section 8.1.4), so it is safe to resend.
      return retryOrFail(
        call,
        RPCStatus(
          code: .unavailable,
          message: "the server rejected the stream with REFUSED_STREAM; retry the call"))
    case UInt32(NGHTTP2_CANCEL.rawValue):
      status = RPCStatus(code: .cancelled, message: "the server cancelled the call")
    case UInt32(NGHTTP2_NO_ERROR.rawValue):
      status = RPCStatus(code: .internal, message: "the stream closed without a status")
    default:
      let name = String(cString: nghttp2_http2_strerror(errorCode))
      status = RPCStatus(code: .internal, message: "the server reset the stream: \(name)")
    }
    call.complete(status)
  }

  private static func metadata(from fields: [(String, String)]) -> Metadata {
    var metadata = Metadata()
    for (name, value) in fields where !Metadata.isReserved(name) {
      _ = metadata.addWireHeader(name: name, value: value)
    }
    return metadata
  }

  /// Reads `grpc-status` and `grpc-message`; without a status, the HTTP status decides.
  private static func status(from fields: [(String, String)], httpStatus: Int) -> RPCStatus {
    let trailers = metadata(from: fields)
    guard let text = fields.first(where: { $0.0 == "grpc-status" })?.1 else {
      let code = httpStatus == 200 ? StatusCode.internal : StatusCode(httpStatus: httpStatus)
      return RPCStatus(
        code: code, message: "the response had no grpc-status (HTTP status \(httpStatus))",
        trailers: trailers)
    }
    let code = Int(text).flatMap(StatusCode.init(rawValue:)) ?? .unknown
    let message = fields.first { $0.0 == "grpc-message" }.map { PercentEncoding.decode($0.1) } ?? ""
    return RPCStatus(code: code, message: message, trailers: trailers)
  }
}

extension ClientConnection {
  /// Returns the window held back for a call once its caller read enough responses.
  func releaseDeferredWindow(_ deferred: AtomicCounter) {
    for call in calls.values where call.deferredConsume === deferred {
      guard call.inbound.bufferedBytes < configuration.inboundHighWater else { return }
      let bytes = deferred.take()
      if bytes > 0 {
        nghttp2_session_consume(session, call.streamID, bytes)
        loop.scheduleFlush(self)
      }
      return
    }
  }
}
