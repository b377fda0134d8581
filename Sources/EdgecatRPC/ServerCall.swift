import CNGHTTP2
import EdgecatLog
import Synchronization

/// One server-side stream: the request as received, the handler's task and the response on its
/// way out. Fields marked loop-only are touched only on the connection's loop thread; the queues
/// and atomics are what the handler's task uses from other threads.
final class ServerCall: @unchecked Sendable {
  let streamID: Int32
  /// Strong, because the handler's task may outlive the connection; the connection drops its
  /// calls when their streams close, so there is no cycle.
  let connection: ServerConnection
  /// The request messages for the handler's task. Created on first use, on the loop thread, so
  /// that a synchronous unary call, which never reads it, does not allocate it.
  private(set) lazy var inbound = makeInbound()
  /// The response messages of a handler's task and how its stream ends, created on the loop
  /// thread before the task starts. A synchronous call sends its one response without it.
  private(set) var outbound: OutboundBuffer?
  private let headersRequested = Atomic<Bool>(false)
  /// DATA bytes received but not yet returned to the peer's flow-control window.
  private let deferredBytes = Atomic<Int>(0)
  private let task = Mutex<Task<Void, Never>?>(nil)

  // Loop-only state, which therefore skips the runtime's exclusivity checks where it is hot.
  @exclusivity(unchecked) var head = RequestHead()
  var context: ServerContext?
  @exclusivity(unchecked) var deframer: MessageDeframer
  var remoteClosed = false
  /// The request's `content-length`, when it sent one, and the DATA bytes received so far.
  var declaredLength: Int?
  /// The reason a field of the request's trailers is malformed, or nil.
  var trailerProblem: String?
  var receivedLength = 0
  /// The response's final HEADERS or DATA with END_STREAM has been submitted.
  var finished = false
  var headersSubmitted = false
  var deadlineTimer: TimerQueue.ID?
  /// Set for a method registered as synchronous: the call runs inline once its request is in.
  var synchronousHandler: SynchronousUnaryHandler?
  @exclusivity(unchecked) var synchronousRequest: [UInt8]?
  @exclusivity(unchecked) var synchronousRequestCount = 0
  /// The response of a synchronous call once its handler returned.
  @exclusivity(unchecked) var synchronousResponse = SynchronousResponse()
  var startTime = MonotonicClock.now()

  init(streamID: Int32, connection: ServerConnection, maximumMessageSize: Int) {
    self.streamID = streamID
    self.connection = connection
    deframer = MessageDeframer(maximumMessageSize: maximumMessageSize)
  }

  /// The response metadata the handler added, none before the call was dispatched.
  var responseMetadata: ResponseMetadata {
    context?.responseMetadata.withLock { $0 } ?? ResponseMetadata()
  }

  private func makeInbound() -> MessageQueue {
    let loop = connection.loop
    let streamID = streamID
    return MessageQueue(onPop: { [weak self, weak connection] _ in
      guard let self, self.deferredBytes.load(ordering: .relaxed) > 0, let connection else {
        return
      }
      loop.execute { connection.releaseDeferredWindow(streamID: streamID) }
    })
  }

  /// Records DATA bytes whose window is returned once the handler has caught up. Any thread.
  func deferConsume(_ count: Int) {
    deferredBytes.add(count, ordering: .relaxed)
  }

  /// Returns the deferred DATA bytes and sets them to 0. Any thread.
  func takeDeferredConsume() -> Int {
    deferredBytes.exchange(0, ordering: .relaxed)
  }

  // MARK: Handler side, any thread

  func start(_ handler: @escaping RPCHandler, context: ServerContext, logger: Logger) {
    outbound = OutboundBuffer()
    let requests = MessageStream(queue: inbound)
    let writer = ResponseWriter(call: self)
    // On the loop, a call that awaits nothing elsewhere costs no thread hop.
    let preference: (any TaskExecutor)? =
      connection.server.configuration.runsHandlersOnEventLoop ? connection.loop : nil
    let started = Task(executorPreference: preference) {
      let status: RPCStatus
      do {
        try await handler(requests, writer, context)
        status = .ok
      } catch let error as RPCError {
        status = error.status
      } catch is CancellationError {
        status = RPCStatus(code: .cancelled, message: "the call was cancelled")
      } catch {
        logger.error(
          "handler failed",
          [
            "rpc.method": context.method, "request.id": context.requestID, "error": "\(error)",
          ])
        status = RPCStatus(code: .unknown, message: "the handler failed")
      }
      self.finish(status)
    }
    task.withLock { $0 = started }
  }

  func write(_ message: [UInt8]) async throws {
    guard let outbound else { throw RPCError(.internal, "the call has no response stream") }
    let framed = MessageFramer.frame(message)
    let needsHeaders = !headersRequested.exchange(true, ordering: .relaxed)
    let needsResume = try outbound.append(framed)
    if needsHeaders || needsResume {
      if connection.loop.inLoop {
        submit(headers: needsHeaders, resume: needsResume)
      } else {
        connection.loop.execute { [self] in submit(headers: needsHeaders, resume: needsResume) }
      }
    }
    try await outbound.waitForSpace()
  }

  /// Loop thread only.
  private func submit(headers: Bool, resume: Bool) {
    if headers { connection.submitResponseHeaders(self) }
    if resume { connection.resumeData(self) }
  }

  /// Ends the call with `status` unless it already ended.
  func finish(_ status: RPCStatus) {
    if connection.loop.inLoop {
      connection.finish(self, status: status)
    } else {
      connection.loop.execute { [self] in connection.finish(self, status: status) }
    }
  }

  /// Cancels the handler's task. Any thread.
  func cancelHandler() {
    task.withLock { $0?.cancel() }
  }
}

/// An integer shared between threads.
final class AtomicCounter: Sendable {
  private let storage = Atomic<Int>(0)

  var value: Int { storage.load(ordering: .relaxed) }

  func add(_ amount: Int) { storage.add(amount, ordering: .relaxed) }

  /// Sets the counter to 0 and returns what it was.
  func take() -> Int { storage.exchange(0, ordering: .relaxed) }
}
