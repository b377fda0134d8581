import CNGHTTP2
import EdgecatLog
import Glibc

/// The server side of one HTTP/2 connection: it turns nghttp2's callbacks into calls of the
/// registered handlers and their responses into frames. Loop thread only.
final class ServerConnection: HTTP2Connection {
  let server: RPCServer
  // The loop thread alone touches the connection's state, so the hot properties below skip the
  // runtime's exclusivity checks.
  @exclusivity(unchecked) private(set) var calls: [Int32: ServerCall] = [:]
  /// The call that began last. nghttp2 delivers one header block at a time, so every request
  /// header finds its call here without a dictionary look-up, as does DATA that a client sends
  /// right after the headers. It is not retained, because `calls` keeps the call until its
  /// stream closes and `streamClosed` clears this first.
  @exclusivity(unchecked) private(set) var latestCall: Unmanaged<ServerCall>?
  /// The method that the previous call resolved, so that a client that calls one method over
  /// and over finds it without hashing its path.
  private var latestMethod: RPCMethod?
  /// Strings of recent request headers, shared by the connection's calls.
  @exclusivity(unchecked) var headerStrings = HeaderStringCache()
  private var idleTimer: TimerQueue.ID?
  /// Nil when the server has no idle timeout.
  private var idle: IdleTracker?
  private var draining = false
  var malformedLog = MalformedRequestLog()

  init(server: RPCServer, loop: EventLoop, fd: Int32, peer: String) {
    self.server = server
    idle = server.configuration.idleTimeout.map {
      IdleTracker(timeout: Deadline.nanoseconds(of: $0))
    }
    super.init(loop: loop, fd: fd, peer: peer, logger: server.logger)
    session = ServerSessionFactory.makeSession(
      owner: self, configuration: server.configuration, memory: sessionMemory)
  }

  /// Sends the server's SETTINGS and starts reading.
  func start() {
    let configuration = server.configuration
    let settings: [(nghttp2_settings_id, UInt32)] = [
      (NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, UInt32(configuration.maximumConcurrentStreams)),
      (NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, UInt32(configuration.initialWindowSize)),
      (NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, UInt32(configuration.maximumHeaderListSize)),
      // An RFC 9218 setting: the server ignores RFC 7540 priority signals, which gRPC does
      // not rely on.
      (NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES, 1),
    ]
    var entries = settings.map {
      nghttp2_settings_entry(settings_id: Int32($0.0.rawValue), value: $0.1)
    }
    let result = nghttp2_submit_settings(
      session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &entries, entries.count)
    precondition(result == 0, "nghttp2_submit_settings failed with \(result)")
    nghttp2_session_set_local_window_size(
      session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0, Int32(configuration.connectionWindowSize))
    activate()
    armIdleTimer()
    let timeout = configuration.handshakeTimeout
    loop.schedule(at: Deadline.after(timeout).uptimeNanoseconds) { [weak self] in
      guard let self, !self.isClosed, !self.hasReceivedBytes else { return }
      self.close(reason: "the client sent nothing within \(timeout)")
    }
    loop.scheduleFlush(self)
  }

  // MARK: Shutdown and idleness

  /// Sends GOAWAY so the client opens no new streams; the connection closes once its calls end.
  func beginShutdown() {
    guard !isClosed, !draining else { return }
    draining = true
    nghttp2_submit_goaway(
      session, UInt8(NGHTTP2_FLAG_NONE.rawValue), nghttp2_session_get_last_proc_stream_id(session),
      UInt32(NGHTTP2_NO_ERROR.rawValue), nil, 0)
    loop.scheduleFlush(self)
    closeIfDrained()
  }

  /// Ends every call with UNAVAILABLE and closes, when the grace period is over.
  func forceClose() {
    for call in calls.values {
      call.cancelHandler()
      finish(call, status: RPCStatus(code: .unavailable, message: "the server is shutting down"))
    }
    flush()
    close(reason: "shutdown grace period ended")
  }

  /// Called from nghttp2 callbacks too, so it only schedules the flush that closes.
  private func closeIfDrained() {
    if draining && calls.isEmpty {
      closeWhenFlushed = true
      loop.scheduleFlush(self)
    }
  }

  /// Notes that the connection has no calls from now on, and arms the idle timer unless one
  /// is pending.
  private func armIdleTimer() {
    guard let deadline = idle?.becameIdle(at: MonotonicClock.now()) else { return }
    scheduleIdleCheck(at: deadline)
  }

  private func scheduleIdleCheck(at deadline: UInt64) {
    idleTimer = loop.schedule(at: deadline) { [weak self] in
      guard let self, !self.isClosed, let expiry = self.idle?.expiry(at: MonotonicClock.now())
      else { return }
      switch expiry {
      case .close:
        self.idleTimer = nil
        self.logger.debug("closing idle connection", ["peer": self.peer])
        self.beginShutdown()
      case .checkAgain(let due):
        self.scheduleIdleCheck(at: due)
      case .none:
        self.idleTimer = nil
      }
    }
  }

  override func connectionClosed(reason: String) {
    if let idleTimer { loop.cancelTimer(idleTimer) }
    let cancelled = RPCError(.cancelled, "the connection closed: \(reason)")
    for call in calls.values where !call.finished {
      call.cancelHandler()
      call.inbound.finish(.failure(cancelled))
      call.outbound?.fail(cancelled)
    }
    latestCall = nil
    calls.removeAll()
    server.connectionDidClose(self)
  }

  // MARK: Streams

  func beginStream(_ streamID: Int32) {
    let call = ServerCall(
      streamID: streamID, connection: self,
      maximumMessageSize: server.configuration.maximumReceiveMessageSize)
    calls[streamID] = call
    latestCall = Unmanaged.passUnretained(call)
    // The pending idle timer stays; when it fires it finds calls or a newer idle start.
    idle?.becameBusy()
  }

  /// Returns the method registered for `path`.
  func method(for path: String) -> RPCMethod? {
    if let method = latestMethod, method.path == path { return method }
    guard let method = server.method(for: path) else { return nil }
    latestMethod = method
    return method
  }

  /// Returns the open call of `streamID`.
  func call(_ streamID: Int32) -> ServerCall? {
    if let latestCall {
      let call = latestCall.takeUnretainedValue()
      if call.streamID == streamID { return call }
    }
    return calls[streamID]
  }

  func streamClosed(_ streamID: Int32, errorCode: UInt32) {
    guard let call = calls.removeValue(forKey: streamID) else { return }
    if latestCall?.toOpaque() == Unmanaged.passUnretained(call).toOpaque() { latestCall = nil }
    if let timer = call.deadlineTimer { loop.cancelTimer(timer) }
    let deferred = call.takeDeferredConsume()
    if deferred > 0 { nghttp2_session_consume_connection(session, deferred) }
    if !call.finished {
      let cancelled = RPCError(.cancelled, "the client cancelled the call")
      call.cancelHandler()
      call.inbound.finish(.failure(cancelled))
      call.outbound?.fail(cancelled)
      logger.debug(
        "rpc cancelled by client",
        [
          "rpc.method": call.context?.method ?? "", "error_code": errorCode,
        ])
    } else {
      call.outbound?.fail(RPCError(.cancelled, "the call has ended"))
    }
    if calls.isEmpty {
      armIdleTimer()
      closeIfDrained()
    }
  }

  /// Returns consumed DATA bytes to the client's window once the handler has caught up.
  func releaseDeferredWindow(streamID: Int32) {
    guard let call = calls[streamID] else { return }
    guard call.inbound.bufferedBytes < server.configuration.inboundHighWater else { return }
    let deferred = call.takeDeferredConsume()
    if deferred > 0 {
      nghttp2_session_consume(session, streamID, deferred)
      loop.scheduleFlush(self)
    }
  }

  func receiveData(_ streamID: Int32, _ bytes: UnsafeRawBufferPointer) {
    guard let call = call(streamID), !call.finished, call.context != nil else {
      nghttp2_session_consume(session, streamID, bytes.count)
      return
    }
    if let declared = call.declaredLength {
      call.receivedLength += bytes.count
      if call.receivedLength > declared {
        nghttp2_session_consume(session, streamID, bytes.count)
        return rejectMalformed(call, Self.lengthMismatch(call, declared: declared))
      }
    }
    if call.synchronousHandler != nil {
      nghttp2_session_consume(session, streamID, bytes.count)
      receiveSynchronousData(call, bytes)
      return
    }
    if call.inbound.bufferedBytes < server.configuration.inboundHighWater {
      nghttp2_session_consume(session, streamID, bytes.count)
    } else {
      call.deferConsume(bytes.count)
    }
    do {
      try call.deframer.append(bytes) { call.inbound.push($0) }
    } catch {
      reject(call, error.status)
    }
  }

  func receiveEndOfStream(_ streamID: Int32) {
    guard let call = call(streamID) else { return }
    call.remoteClosed = true
    if let declared = call.declaredLength, call.receivedLength != declared, !call.finished {
      rejectMalformed(call, Self.lengthMismatch(call, declared: declared))
      return
    }
    if call.deframer.hasPartialMessage && !call.finished {
      reject(call, RPCStatus(code: .internal, message: "the request stream ended inside a message"))
      return
    }
    if call.synchronousHandler != nil {
      runSynchronous(call)
      return
    }
    call.inbound.finish()
  }

  private func receiveSynchronousData(_ call: ServerCall, _ bytes: UnsafeRawBufferPointer) {
    do {
      try call.deframer.append(bytes) { message in
        call.synchronousRequestCount += 1
        call.synchronousRequest = message
      }
    } catch {
      reject(call, error.status)
    }
  }

  /// Returns why a request whose DATA does not add up to its `content-length` is malformed, as
  /// RFC 9113 section 8.1.1 makes it.
  static func lengthMismatch(_ call: ServerCall, declared: Int) -> String {
    let received =
      call.receivedLength > declared ? "more than \(declared)" : "\(call.receivedLength)"
    return "content-length is \(declared) but the body has \(received) bytes; send the body's"
      + " exact length or leave content-length out"
  }

  /// Ends a call the transport rejected: the handler is cancelled and the status sent.
  func reject(_ call: ServerCall, _ status: RPCStatus) {
    call.cancelHandler()
    call.inbound.finish(.failure(RPCError(status: status)))
    finish(call, status: status)
  }
}
