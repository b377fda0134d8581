/// The four gRPC call shapes.
public enum CallShape: Sendable {
  case unary, clientStreaming, serverStreaming, bidirectionalStreaming
}

/// Writes response messages of one call. `write` waits while the stream's outbound queue is
/// full, so a handler cannot outrun its client; it throws once the call ended or was cancelled.
public struct ResponseWriter: Sendable {
  let call: ServerCall

  /// Sends one serialized message.
  public func write(_ message: [UInt8]) async throws {
    try await call.write(message)
  }
}

/// A method's handler at the byte level: it reads serialized requests, writes serialized
/// responses and returns normally for OK, or throws an `RPCError` for another status. It runs on
/// its connection's event loop unless `ServerConfiguration.runsHandlersOnEventLoop` is false, so
/// it must not block that thread.
public typealias RPCHandler =
  @Sendable (MessageStream, ResponseWriter, ServerContext) async throws -> Void

/// A unary handler that returns at once: it runs inline on the event loop when the request
/// has arrived, with no task, queue or thread hop. It must not block or wait.
public typealias SynchronousUnaryHandler = @Sendable ([UInt8], ServerContext) throws -> [UInt8]

/// A registered method: its shape and handler.
public struct RPCMethod: Sendable {
  public let path: String
  public let shape: CallShape
  public let handler: RPCHandler
  /// Set for methods registered with `init(path:synchronousUnary:)`.
  public let synchronousHandler: SynchronousUnaryHandler?

  public init(path: String, shape: CallShape, handler: @escaping RPCHandler) {
    self.path = path
    self.shape = shape
    self.handler = handler
    synchronousHandler = nil
  }

  /// Creates a unary method whose handler computes its response without waiting, such as a
  /// decision from memory. The transport calls it inline, the cheapest path a call can take.
  public init(path: String, synchronousUnary handler: @escaping SynchronousUnaryHandler) {
    self.path = path
    shape = .unary
    synchronousHandler = handler
    self.handler = { requests, writer, context in
      var iterator = requests.makeAsyncIterator()
      guard let request = try await iterator.next() else {
        throw RPCError(.internal, "the client ended the call without sending a request")
      }
      try await writer.write(try handler(request, context))
    }
  }
}

/// A set of methods that a server serves under one gRPC service name.
public protocol RPCService: Sendable {
  /// The full service name, such as `grpc.health.v1.Health`.
  var serviceName: String { get }
  var methods: [RPCMethod] { get }
}
