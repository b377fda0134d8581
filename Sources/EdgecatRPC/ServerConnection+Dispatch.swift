import CNGHTTP2

extension ServerConnection {
  /// Records one request header.
  func receiveHeader(
    _ streamID: Int32, name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>
  ) {
    let limit = server.configuration.maximumHeaderListSize
    // The headers of a request come right after its stream began, so the call is nearly always
    // the latest one, used here without the retain and release that `call(_:)` would cost.
    if let latestCall {
      let found = latestCall._withUnsafeGuaranteedRef { call in
        guard call.streamID == streamID else { return false }
        if call.context == nil {
          call.head.add(name: name, value: value, limit: limit, strings: &headerStrings)
        }
        return true
      }
      if found { return }
    }
    guard let call = calls[streamID], call.context == nil else { return }
    call.head.add(name: name, value: value, limit: limit, strings: &headerStrings)
  }

  /// Validates a complete request's headers and starts its handler, or responds with an error.
  func dispatch(_ streamID: Int32, endStream: Bool) {
    guard let call = call(streamID), call.context == nil else { return }
    if endStream { call.remoteClosed = true }
    // Moved out, not copied, so that none of its strings is retained again.
    var head = RequestHead()
    swap(&head, &call.head)
    head.finishMetadata(strings: &headerStrings)
    let timeout = head.timeout
    let context = ServerContext(
      method: head.path, metadata: head.metadata,
      deadline: timeout.flatMap(GRPCTimeout.parse).map {
        Deadline(uptimeNanoseconds: call.startTime &+ $0)
      },
      requestID: head.requestID.flatMap { $0.isEmpty ? nil : $0 } ?? RequestID.generate(),
      peer: peer,
      shutdown: server.shutdownFlag)
    call.context = context

    if head.listTooLarge {
      let limit = server.configuration.maximumHeaderListSize
      return finish(
        call,
        status: RPCStatus(
          code: .resourceExhausted,
          message:
            "request headers of \(head.listSize) bytes or more exceed the limit of \(limit) bytes"))
    }
    if let problem = head.malformation ?? head.missingPseudoField.map(Self.missingFieldProblem) {
      logMalformed(problem, streamID: streamID)
      return respondHTTPError(call, status: 400, message: "malformed HTTP/2 request: \(problem)")
    }
    call.declaredLength = head.contentLength
    if endStream, let declared = head.contentLength, declared != 0 {
      let problem = Self.lengthMismatch(call, declared: declared)
      logMalformed(problem, streamID: streamID)
      return respondHTTPError(call, status: 400, message: "malformed HTTP/2 request: \(problem)")
    }
    guard head.method == "POST" else {
      return respondHTTPError(
        call, status: 405, message: "gRPC requires POST, not \"\(head.method)\"; send POST")
    }
    guard head.contentTypeIsGRPC else {
      return respondHTTPError(
        call, status: 415,
        message: "content-type \"\(head.contentType)\" is not supported; use application/grpc")
    }
    if let timeout, GRPCTimeout.parse(timeout) == nil {
      return finish(
        call,
        status: RPCStatus(
          code: .invalidArgument,
          message:
            "grpc-timeout \"\(timeout)\" is malformed; send up to 8 digits and a unit of H M S m u n"
        ))
    }
    // The gRPC HTTP/2 protocol ends a call whose encoding the server does not support with
    // UNIMPLEMENTED, and this server supports only identity.
    if let encoding = head.encoding, encoding != "identity" {
      return finish(
        call,
        status: RPCStatus(
          code: .unimplemented,
          message:
            "grpc-encoding \"\(encoding)\" is not supported; send messages uncompressed"))
    }
    if let badMetadata = head.badMetadata {
      return finish(
        call,
        status: RPCStatus(
          code: .internal,
          message:
            "metadata \(badMetadata) is not valid base64; encode -bin values in standard base64"
            + " (RFC 4648 section 4), with or without padding"))
    }
    guard let registered = method(for: head.path) else {
      // An unknown service starts with "unknown service", as grpc-go words it, so that
      // clients can tell a wrong endpoint from an older server that lacks one method.
      let message =
        server.servesService(of: head.path)
        ? "method \(head.path) is not implemented by this server"
        : "unknown service \(head.path.split(separator: "/").first ?? ""); method \(head.path)"
          + " is not implemented by this server"
      return finish(call, status: RPCStatus(code: .unimplemented, message: message))
    }
    if let deadline = context.deadline {
      call.deadlineTimer = loop.schedule(at: deadline.uptimeNanoseconds) { [weak self, weak call] in
        guard let self, let call, !call.finished else { return }
        call.cancelHandler()
        self.finish(
          call, status: RPCStatus(code: .deadlineExceeded, message: "the deadline passed"))
      }
    }
    if endStream { call.inbound.finish() }
    if logger.isEnabled(.debug) {
      logger.debug(
        "rpc started",
        [
          "rpc.method": head.path, "request.id": context.requestID, "peer": peer,
        ])
    }
    if let synchronous = registered.synchronousHandler {
      call.synchronousHandler = synchronous
      if endStream { runSynchronous(call) }
      return
    }
    call.start(registered.handler, context: context, logger: logger)
  }

  private static func missingFieldProblem(_ field: String) -> String {
    "the request has no \(field) pseudo-header field; send :method, :scheme and :path"
  }

  /// Responds with a plain HTTP status, which gRPC clients map to a gRPC code themselves.
  func respondHTTPError(_ call: ServerCall, status: Int, message: String) {
    call.finished = true
    let headers = [
      (":status", String(status)), ("content-type", "application/grpc"),
      ("grpc-status", String(StatusCode.internal.rawValue)),
      ("grpc-message", PercentEncoding.encode(Self.bounded(message))),
    ]
    let result = HeaderList.withHeaders(headers) { list, count in
      nghttp2_submit_response(session, call.streamID, list, count, nil)
    }
    if result != 0 { nghttp2_submit_rst_stream(session, 0, call.streamID, 2) }
    loop.scheduleFlush(self)
  }
}
