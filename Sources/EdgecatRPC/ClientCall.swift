import CNGHTTP2
import Synchronization

/// One call from a client: requests go out with `send` and `closeSend`, responses arrive in
/// `responses`, and `status` ends it. Thread-safe.
public final class ClientCall: @unchecked Sendable {
  public let method: String
  let requestMetadata: Metadata
  let deadline: Deadline?
  let outbound = OutboundBuffer()
  /// Responses received but not read yet; reading one returns window to the server.
  let inbound: MessageQueue
  /// DATA bytes received but not yet returned to the server's flow-control window.
  let deferredConsume = AtomicCounter()
  private let headersPromise = Promise<Metadata>()
  private let statusPromise = Promise<RPCStatus>()
  private let connectionBox = ConnectionBox()

  // Loop-only state, owned by the connection that runs the call.
  var streamID: Int32 = -1
  var deframer: MessageDeframer
  var responseFields: [(String, String)] = []
  var receivedHeaders = false
  var deadlineTimer: TimerQueue.ID?
  /// The request HEADERS left in a frame, so the server may have seen the call.
  var headersSent = false
  /// Connections this call was started on; a call the server never saw moves to a new
  /// connection once.
  var attempts = 0

  init(method: String, metadata: Metadata, deadline: Deadline?, maximumMessageSize: Int) {
    self.method = method
    requestMetadata = metadata
    self.deadline = deadline
    deframer = MessageDeframer(maximumMessageSize: maximumMessageSize)
    let deferred = deferredConsume
    let box = connectionBox
    inbound = MessageQueue(onPop: { _ in
      guard deferred.value > 0, let connection = box.withLock({ $0 }) else { return }
      connection.loop.execute { connection.releaseDeferredWindow(deferred) }
    })
  }

  /// The responses, in order. The sequence throws the call's status when it is not OK.
  public var responses: MessageStream { MessageStream(queue: inbound) }

  /// The response's initial metadata; empty when the server sent a trailers-only response.
  public var headers: Metadata { get async { await headersPromise.value } }

  /// True while responses have arrived that the caller has not read yet.
  public var hasUnreadResponses: Bool { inbound.bufferedBytes > 0 }

  /// The call's final status, once it ended.
  public var status: RPCStatus { get async { await statusPromise.value } }

  /// Sends one serialized request, waiting while the stream's queue is full. Throws the call's
  /// status once it has ended with an error.
  ///
  /// A server may end a call with OK before reading every request. A message sent after that
  /// is dropped without an error, as in other gRPC clients.
  public func send(_ message: [UInt8]) async throws {
    do {
      if let status = statusPromise.current { throw RPCError(status: status) }
      if try outbound.append(MessageFramer.frame(message)) { resume() }
      try await outbound.waitForSpace()
    } catch let error as RPCError where error.code == .ok {
      return
    }
  }

  /// Ends the request stream (half-close).
  public func closeSend() {
    if outbound.finish(.endStream) { resume() }
  }

  /// Cancels the call: RST_STREAM with CANCEL goes to the server and the status is CANCELLED.
  public func cancel() {
    guard let connection = connectionBox.withLock({ $0 }) else {
      complete(RPCStatus(code: .cancelled, message: "the call was cancelled"))
      return
    }
    connection.loop.execute { connection.cancel(self) }
  }

  /// Resumes the stream's data source after bytes were queued directly; tests use it to send
  /// frames the framer would not produce.
  func resumeForTesting() { resume() }

  private func resume() {
    guard let connection = connectionBox.withLock({ $0 }) else { return }
    connection.loop.execute { connection.resumeData(self) }
  }

  func attach(to connection: ClientConnection) {
    connectionBox.withLock { $0 = connection }
  }

  /// The connection a call runs on, shared with the queue's pop callback.
  final class ConnectionBox: Sendable {
    private let value = Mutex<ClientConnection?>(nil)

    func withLock<Result>(_ body: (inout ClientConnection?) -> Result) -> Result {
      value.withLock { body(&$0) }
    }
  }

  func deliverHeaders(_ metadata: Metadata) {
    headersPromise.fulfil(metadata)
  }

  /// Ends the call with `status`; only the first status counts.
  func complete(_ status: RPCStatus) {
    guard statusPromise.fulfil(status) else { return }
    headersPromise.fulfil(Metadata())
    let error = RPCError(status: status)
    inbound.finish(status.code == .ok ? .success(()) : .failure(error))
    outbound.fail(error)
    connectionBox.withLock { $0 = nil }
  }

  var isComplete: Bool { statusPromise.current != nil }
}
