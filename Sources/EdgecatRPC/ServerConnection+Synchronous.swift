import CNGHTTP2

extension ServerConnection {
  /// Runs a synchronous unary handler on the loop once the request stream ended, and submits
  /// its response and status in one go.
  func runSynchronous(_ call: ServerCall) {
    guard !call.finished, let handler = call.synchronousHandler, let context = call.context else {
      return
    }
    guard call.synchronousRequestCount == 1, let request = call.synchronousRequest else {
      let problem =
        call.synchronousRequestCount == 0
        ? "the client ended the call without sending a request"
        : "the client sent more than one request to a method that takes one"
      return finish(call, status: RPCStatus(code: .internal, message: problem))
    }
    call.synchronousRequest = nil
    let response: [UInt8]
    do {
      response = try handler(request, context)
    } catch let error as RPCError {
      return finish(call, status: error.status)
    } catch {
      logger.error(
        "handler failed",
        ["rpc.method": context.method, "request.id": context.requestID, "error": "\(error)"])
      return finish(call, status: RPCStatus(code: .unknown, message: "the handler failed"))
    }
    respond(call, with: response, requestID: context.requestID)
  }

  /// Submits the headers, the message and the OK status of a synchronous call at once. The
  /// message is framed as nghttp2 reads it, so it is never copied into a framed array.
  private func respond(_ call: ServerCall, with message: [UInt8], requestID: String) {
    call.finished = true
    call.headersSubmitted = true
    if let timer = call.deadlineTimer {
      loop.cancelTimer(timer)
      call.deadlineTimer = nil
    }
    logCompletion(call, status: .ok)
    let metadata = call.responseMetadata
    call.synchronousResponse = SynchronousResponse(
      message: message, trailers: metadata.trailers.wireHeaders())
    var provider = nghttp2_data_provider(
      source: nghttp2_data_source(ptr: Unmanaged.passUnretained(call).toOpaque()),
      read_callback: synchronousReadCallback)
    let result = HeaderList.withOKHeaders(requestID: requestID, custom: metadata.headers) {
      list, count in
      nghttp2_submit_response(session, call.streamID, list, count, &provider)
    }
    if result != 0 {
      logger.error("nghttp2_submit_response failed", ["code": result])
      nghttp2_submit_rst_stream(
        session, UInt8(NGHTTP2_FLAG_NONE.rawValue), call.streamID,
        UInt32(NGHTTP2_INTERNAL_ERROR.rawValue))
    }
    loop.scheduleFlush(self)
  }
}
