import CNGHTTP2
import EdgecatLog
import Glibc

/// The client side of one HTTP/2 connection, multiplexing many calls. Loop thread only, except
/// `acceptsCalls`, which `RPCClient` reads under its own lock after the loop set it.
final class ClientConnection: HTTP2Connection {
  let endpoint: Endpoint
  let configuration: ClientConfiguration
  private var connected = false
  var calls: [Int32: ClientCall] = [:]
  /// Calls started before the server's first SETTINGS frame arrived.
  private var waitingCalls: [ClientCall] = []
  private var settingsReceived = false
  private let accepting = AtomicCounter()
  /// Starts a call again on a new connection.
  private let restart: (ClientCall) -> Void

  init(
    loop: EventLoop, fd: Int32, endpoint: Endpoint, configuration: ClientConfiguration,
    restart: @escaping (ClientCall) -> Void
  ) {
    self.endpoint = endpoint
    self.configuration = configuration
    self.restart = restart
    super.init(loop: loop, fd: fd, peer: endpoint.description, logger: Logger(component: "rpc"))
    accepting.add(1)
    session = ClientSessionFactory.makeSession(owner: self, memory: sessionMemory)
  }

  /// False once the connection closed or the server sent GOAWAY; new calls need a new one.
  var acceptsCalls: Bool { accepting.value > 0 }

  private func stopAccepting() {
    if accepting.value > 0 { accepting.add(-1) }
  }

  /// Registers the socket and queues the client preface and SETTINGS.
  func start() {
    var entries = [
      nghttp2_settings_entry(
        settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue),
        value: UInt32(configuration.initialWindowSize)),
      nghttp2_settings_entry(
        settings_id: Int32(NGHTTP2_SETTINGS_ENABLE_PUSH.rawValue), value: 0),
    ]
    let result = nghttp2_submit_settings(
      session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &entries, entries.count)
    precondition(result == 0, "nghttp2_submit_settings failed with \(result)")
    nghttp2_session_set_local_window_size(
      session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0, Int32(configuration.connectionWindowSize))
    activate(waitForConnect: true)
    let timeout = configuration.connectTimeout
    loop.schedule(at: Deadline.after(timeout).uptimeNanoseconds) { [weak self] in
      guard let self, !self.connected, !self.isClosed else { return }
      self.close(reason: "connecting to \(self.endpoint) timed out after \(timeout)")
    }
  }

  override func socketWritable() -> Bool {
    guard !connected else { return true }
    let error = Socket.pendingError(fd)
    if error != 0 {
      close(reason: "connect to \(endpoint) failed: \(String(cString: strerror(error)))")
      return false
    }
    connected = true
    loop.scheduleFlush(self)
    return true
  }

  override func flush() {
    guard connected else { return }
    super.flush()
  }

  // MARK: Calls

  /// Starts a call: at once when the server's SETTINGS arrived, else once they do, so the
  /// client never opens more streams than the server's SETTINGS_MAX_CONCURRENT_STREAMS allows.
  func startCall(_ call: ClientCall) {
    call.attempts += 1
    guard !isClosed, acceptsCalls else {
      retryOrFail(
        call, RPCStatus(code: .unavailable, message: "the connection to \(endpoint) is closing"))
      return
    }
    if let deadline = call.deadline, deadline.hasPassed {
      call.complete(
        RPCStatus(code: .deadlineExceeded, message: "the deadline passed before the call started"))
      return
    }
    if let deadline = call.deadline {
      call.deadlineTimer = loop.schedule(at: deadline.uptimeNanoseconds) { [weak self, weak call] in
        guard let self, let call, !call.isComplete else { return }
        self.reset(call, status: RPCStatus(code: .deadlineExceeded, message: "the deadline passed"))
      }
    }
    if settingsReceived {
      submit(call)
    } else {
      waitingCalls.append(call)
    }
  }

  /// Handles the server's first SETTINGS frame by submitting the calls that waited for it.
  func receivedSettings() {
    guard !settingsReceived else { return }
    settingsReceived = true
    let waiting = waitingCalls
    waitingCalls = []
    for call in waiting where !call.isComplete { submit(call) }
  }

  /// Submits the call's HEADERS with its outbound buffer as the request body.
  private func submit(_ call: ClientCall) {
    var headers = [
      (":method", "POST"), (":scheme", "http"), (":path", call.method),
      (":authority", configuration.authority ?? endpoint.description),
      ("content-type", "application/grpc"), ("te", "trailers"),
      ("user-agent", "edgecat-rpc/0.1"),
    ]
    if let deadline = call.deadline {
      let remaining = deadline.uptimeNanoseconds &- MonotonicClock.now()
      headers.append(("grpc-timeout", GRPCTimeout.format(nanoseconds: remaining)))
    }
    headers.append(contentsOf: call.requestMetadata.wireHeaders())
    var provider = nghttp2_data_provider(
      source: nghttp2_data_source(ptr: Unmanaged.passUnretained(call.outbound).toOpaque()),
      read_callback: outboundReadCallback)
    let streamID = HeaderList.withHeaders(headers) { list, count in
      nghttp2_submit_request(session, nil, list, count, &provider, nil)
    }
    guard streamID > 0 else {
      let reason = String(cString: nghttp2_strerror(streamID))
      if let timer = call.deadlineTimer { loop.cancelTimer(timer) }
      call.complete(
        RPCStatus(code: .unavailable, message: "cannot start a call on \(endpoint): \(reason)"))
      return
    }
    call.streamID = streamID
    call.headersSent = false
    calls[streamID] = call
    call.attach(to: self)
    loop.scheduleFlush(self)
  }

  func resumeData(_ call: ClientCall) {
    guard calls[call.streamID] != nil else { return }
    nghttp2_session_resume_data(session, call.streamID)
    loop.scheduleFlush(self)
  }

  func cancel(_ call: ClientCall) {
    reset(call, status: RPCStatus(code: .cancelled, message: "the call was cancelled"))
  }

  /// Sends RST_STREAM with CANCEL and ends the call with `status`.
  func reset(_ call: ClientCall, status: RPCStatus) {
    call.complete(status)
    guard calls[call.streamID] != nil else { return }
    nghttp2_submit_rst_stream(
      session, UInt8(NGHTTP2_FLAG_NONE.rawValue), call.streamID, UInt32(NGHTTP2_CANCEL.rawValue))
    loop.scheduleFlush(self)
  }

  func receivedGoAway() {
    stopAccepting()
  }

  override func connectionClosed(reason: String) {
    stopAccepting()
    let status = RPCStatus(
      code: .unavailable, message: "the connection to \(endpoint) closed: \(reason)")
    let open = Array(calls.values) + waitingCalls
    calls.removeAll()
    waitingCalls.removeAll()
    for call in open {
      if let timer = call.deadlineTimer { loop.cancelTimer(timer) }
      if call.headersSent {
        call.complete(status)
      } else {
        retryOrFail(call, status)
      }
    }
  }

  /// Moves a call the server never processed to a new connection, once; a call whose request
  /// bytes already left ends with `status` instead.
  func retryOrFail(_ call: ClientCall, _ status: RPCStatus) {
    if call.attempts < 2 && !call.outbound.hasStartedSending && !call.isComplete {
      restart(call)
    } else {
      call.complete(status)
    }
  }

  func requestHeadersSent(_ streamID: Int32) {
    calls[streamID]?.headersSent = true
  }
}
