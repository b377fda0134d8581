import CNGHTTP2

/// When a connection last logged a malformed request at warning level, and how many it left
/// out since.
struct MalformedRequestLog {
  /// Nanoseconds of `MonotonicClock` at the last warning line.
  var lastLine: UInt64?
  var unlogged = 0
}

extension ServerConnection {
  /// Minimum time between two warning lines about malformed requests on one connection, so that
  /// a client that sends them call after call cannot flood the log.
  static let malformedLogInterval: UInt64 = 10_000_000_000

  /// Logs a rejected malformed request: at warning level for the first on the connection and
  /// then at most once per `malformedLogInterval` with the count left out, else at debug level.
  func logMalformed(_ problem: String, streamID: Int32) {
    let now = MonotonicClock.now()
    if let last = malformedLog.lastLine, now &- last < Self.malformedLogInterval {
      malformedLog.unlogged += 1
      logger.debug(
        "malformed request rejected", ["problem": problem, "stream": streamID, "peer": peer])
      return
    }
    logger.warning(
      "malformed request rejected",
      [
        "problem": problem, "stream": streamID, "peer": peer,
        "malformed_not_logged": malformedLog.unlogged,
      ])
    malformedLog = MalformedRequestLog(lastLine: now, unlogged: 0)
  }

  /// Logs a GOAWAY with an error code, which ends the connection because of what the client
  /// sent: a frame that breaks HTTP/2, or a flood of frames that nghttp2 stops, such as stream
  /// resets without end. Either comes from a broken or hostile client that an operator should
  /// see.
  func sentGoAway(errorCode: UInt32) {
    logger.warning(
      "connection ended for a protocol error",
      ["peer": peer, "http2_error": String(cString: nghttp2_http2_strerror(errorCode))])
  }

  /// Ends a call whose request turned out malformed after its header block, by its
  /// content-length or its trailers. While no response has gone out, the call gets HTTP 400
  /// as for a malformed header block, and after that INTERNAL in the response trailers.
  func rejectMalformed(_ call: ServerCall, _ problem: String) {
    guard !call.finished else { return }
    logMalformed(problem, streamID: call.streamID)
    let message = "malformed HTTP/2 request: \(problem)"
    let status = RPCStatus(code: .internal, message: message)
    guard !call.headersSubmitted, call.outbound?.isEmpty ?? true else {
      return reject(call, status)
    }
    call.cancelHandler()
    call.inbound.finish(.failure(RPCError(status: status)))
    if let timer = call.deadlineTimer {
      loop.cancelTimer(timer)
      call.deadlineTimer = nil
    }
    logCompletion(call, status: status)
    respondHTTPError(call, status: 400, message: message)
    // A handler that writes after this fails at once, as after `finish`.
    call.outbound?.fail(RPCError(.cancelled, "the call has ended"))
  }

  /// Checks one field of a request's trailers. RFC 9113 section 8.1 forbids pseudo-header
  /// fields there, and section 8.2 applies to trailers as to headers. Only the first problem
  /// is kept; the call is rejected when the trailers end.
  func receiveTrailerField(
    _ streamID: Int32, name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>
  ) {
    guard let call = call(streamID), !call.finished, call.trailerProblem == nil else { return }
    if name.first == UInt8(ascii: ":") {
      call.trailerProblem =
        "the trailers contain the pseudo-header field \(FieldSyntax.quoted(name)); send"
        + " pseudo-header fields only in the request's header block"
      return
    }
    if let problem = FieldSyntax.problem(name: name, value: value) {
      call.trailerProblem = "in the trailers, " + problem
    }
  }

  /// Ends the request stream at its trailers, or rejects the call when a trailer field is
  /// malformed or the trailers do not end the stream, as RFC 9113 section 8.1 requires.
  func receiveTrailers(_ streamID: Int32, endStream: Bool) {
    guard let call = call(streamID) else { return }
    var problem = call.trailerProblem
    if problem == nil && !endStream {
      problem =
        "a HEADERS frame after the request's header block does not end the stream; send"
        + " trailers with END_STREAM, or no second HEADERS frame"
    }
    if let problem, !call.finished {
      return rejectMalformed(call, problem)
    }
    if endStream { receiveEndOfStream(streamID) }
  }
}
