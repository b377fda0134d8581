import CNGHTTP2

extension ServerConnection {
  /// Records one request header; returns false to reset the stream for a malformed one.
  func receiveHeader(_ streamID: Int32, name: String, value: String) {
    guard let call = calls[streamID], call.context == nil else { return }
    // RFC 7540 section 6.5.2 counts 32 bytes of overhead per field.
    call.headerListSize += name.utf8.count + value.utf8.count + 32
    if call.headerListSize > server.configuration.maximumHeaderListSize {
      call.headerListTooLarge = true
      return
    }
    call.headerFields.append((name, value))
  }

  /// Validates a complete request's headers and starts its handler, or answers with an error.
  func dispatch(_ streamID: Int32, endStream: Bool) {
    guard let call = calls[streamID], call.context == nil else { return }
    if endStream { call.remoteClosed = true }
    var method = ""
    var path = ""
    var contentType = ""
    var timeout: String?
    var requestID: String?
    var metadata = Metadata()
    var badMetadata: String?
    for (name, value) in call.headerFields {
      switch name {
      case ":method": method = value
      case ":path": path = value
      case "content-type": contentType = value
      case "grpc-timeout": timeout = value
      case "x-request-id":
        requestID = value
        _ = metadata.addWireHeader(name: name, value: value)
      default:
        if Metadata.isReserved(name) { continue }
        if !metadata.addWireHeader(name: name, value: value) { badMetadata = name }
      }
    }
    call.headerFields = []

    let context = ServerContext(
      method: path, metadata: metadata,
      deadline: timeout.flatMap(GRPCTimeout.parse).map {
        Deadline(uptimeNanoseconds: call.startTime &+ $0)
      },
      requestID: requestID ?? RequestID.generate(), peer: peer,
      responseMetadata: call.responseMetadata)
    call.context = context

    if call.headerListTooLarge {
      let limit = server.configuration.maximumHeaderListSize
      return finish(call, status: RPCStatus(code: .resourceExhausted,
        message: "request headers of \(call.headerListSize) bytes or more exceed the limit of \(limit) bytes"))
    }
    guard method == "POST" else {
      return respondHTTPError(call, status: 405, message: "gRPC requires POST, not \(method)")
    }
    guard Self.isGRPCContentType(contentType) else {
      return respondHTTPError(call, status: 415,
        message: "content-type \"\(contentType)\" is not supported; use application/grpc")
    }
    if let timeout, GRPCTimeout.parse(timeout) == nil {
      return finish(call, status: RPCStatus(code: .invalidArgument,
        message: "grpc-timeout \"\(timeout)\" is malformed; send up to 8 digits and a unit of H M S m u n"))
    }
    if let badMetadata {
      return finish(call, status: RPCStatus(code: .internal,
        message: "metadata \(badMetadata) is not valid base64"))
    }
    guard let registered = server.method(for: path) else {
      return finish(call, status: RPCStatus(code: .unimplemented,
        message: "method \(path) is not implemented by this server"))
    }
    if let deadline = context.deadline {
      call.deadlineTimer = loop.schedule(at: deadline.uptimeNanoseconds) { [weak self, weak call] in
        guard let self, let call, !call.finished else { return }
        call.cancelHandler()
        self.finish(call, status: RPCStatus(code: .deadlineExceeded, message: "the deadline passed"))
      }
    }
    if endStream { call.inbound.finish() }
    logger.debug("rpc started", ["rpc.method": path, "request.id": context.requestID, "peer": peer])
    call.start(registered.handler, context: context, logger: logger)
  }

  /// Accepts `application/grpc`, `application/grpc+proto` and either with parameters.
  static func isGRPCContentType(_ value: String) -> Bool {
    let base = value.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
    let trimmed = base.trimmingCharacters(of: " ").lowercased()
    return trimmed == "application/grpc" || trimmed == "application/grpc+proto"
  }

  /// Answers with a plain HTTP status; gRPC clients map it to a gRPC code themselves.
  private func respondHTTPError(_ call: ServerCall, status: Int, message: String) {
    call.finished = true
    let headers = [
      (":status", String(status)), ("content-type", "application/grpc"),
      ("grpc-status", String(StatusCode.internal.rawValue)),
      ("grpc-message", PercentEncoding.encode(message)),
    ]
    let result = HeaderList.withHeaders(headers) { list, count in
      nghttp2_submit_response(session, call.streamID, list, count, nil)
    }
    if result != 0 { nghttp2_submit_rst_stream(session, 0, call.streamID, 2) }
    loop.scheduleFlush(self)
  }
}

extension String {
  fileprivate func trimmingCharacters(of character: Character) -> String {
    var view = self[...]
    while view.first == character { view = view.dropFirst() }
    while view.last == character { view = view.dropLast() }
    return String(view)
  }
}
