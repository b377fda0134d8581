import EdgecatProto

/// Requests of a streaming call, decoded. A request that does not decode ends the iteration
/// with INVALID_ARGUMENT naming the message and field.
public struct RequestStream<Request: ProtoMessage>: AsyncSequence, Sendable {
  public typealias Element = Request
  let messages: MessageStream

  public struct AsyncIterator: AsyncIteratorProtocol, Sendable {
    var messages: MessageStream.AsyncIterator

    public mutating func next() async throws -> Request? {
      guard let bytes = try await messages.next() else { return nil }
      return try ProtoCoding.decode(Request.self, bytes)
    }
  }

  public func makeAsyncIterator() -> AsyncIterator {
    AsyncIterator(messages: messages.makeAsyncIterator())
  }
}

/// Writes encoded responses of one streaming call.
public struct ResponseStreamWriter<Response: ProtoMessage>: Sendable {
  let writer: ResponseWriter

  public func write(_ response: Response) async throws {
    try await writer.write(response.serializedBytes())
  }
}

/// Message decoding with the status codes of the typed methods, for handlers that take bytes.
public enum ProtoCoding {
  /// Decodes a message; failures are INVALID_ARGUMENT, as a malformed request is the caller's.
  public static func decode<Message: ProtoMessage>(_ type: Message.Type, _ bytes: [UInt8])
    throws(RPCError)
    -> Message
  {
    do {
      return try Message(serializedBytes: bytes)
    } catch {
      // Decoding errors usually name the message already; add it only where they do not.
      let name = Message.protoMessageName
      let message =
        error.message.contains(name) ? error.message : "invalid \(name): \(error.message)"
      throw RPCError(.invalidArgument, message)
    }
  }

  /// Reads the single request of a unary or server-streaming call.
  static func single<Request: ProtoMessage>(_ type: Request.Type, from messages: MessageStream)
    async throws -> Request
  {
    var iterator = messages.makeAsyncIterator()
    guard let first = try await iterator.next() else {
      throw RPCError(.internal, "the client ended the call without sending a request")
    }
    guard try await iterator.next() == nil else {
      throw RPCError(.internal, "the client sent more than one request to a method that takes one")
    }
    return try decode(Request.self, first)
  }
}

extension RPCMethod {
  /// A method taking one request and returning one response.
  public static func unary<Request: ProtoMessage, Response: ProtoMessage>(
    _ path: String, _ handler: @escaping @Sendable (Request, ServerContext) async throws -> Response
  ) -> RPCMethod {
    RPCMethod(path: path, shape: .unary) { messages, writer, context in
      let request = try await ProtoCoding.single(Request.self, from: messages)
      let response = try await handler(request, context)
      try await writer.write(response.serializedBytes())
    }
  }

  /// A unary method whose handler returns without waiting; it runs inline on the event loop.
  public static func synchronousUnary<Request: ProtoMessage, Response: ProtoMessage>(
    _ path: String, _ handler: @escaping @Sendable (Request, ServerContext) throws -> Response
  ) -> RPCMethod {
    RPCMethod(path: path) { bytes, context in
      let request = try ProtoCoding.decode(Request.self, bytes)
      return try handler(request, context).serializedBytes()
    }
  }

  /// A method taking one request and writing any number of responses.
  public static func serverStreaming<Request: ProtoMessage, Response: ProtoMessage>(
    _ path: String,
    _ handler:
      @escaping @Sendable (Request, ResponseStreamWriter<Response>, ServerContext)
      async throws -> Void
  ) -> RPCMethod {
    RPCMethod(path: path, shape: .serverStreaming) { messages, writer, context in
      let request = try await ProtoCoding.single(Request.self, from: messages)
      try await handler(request, ResponseStreamWriter(writer: writer), context)
    }
  }

  /// A method reading a stream of requests and returning one response.
  public static func clientStreaming<Request: ProtoMessage, Response: ProtoMessage>(
    _ path: String,
    _ handler: @escaping @Sendable (RequestStream<Request>, ServerContext) async throws -> Response
  ) -> RPCMethod {
    RPCMethod(path: path, shape: .clientStreaming) { messages, writer, context in
      let response = try await handler(RequestStream(messages: messages), context)
      try await writer.write(response.serializedBytes())
    }
  }

  /// A method reading requests and writing responses at the same time.
  public static func bidirectionalStreaming<Request: ProtoMessage, Response: ProtoMessage>(
    _ path: String,
    _ handler:
      @escaping @Sendable (
        RequestStream<Request>, ResponseStreamWriter<Response>, ServerContext
      ) async throws -> Void
  ) -> RPCMethod {
    RPCMethod(path: path, shape: .bidirectionalStreaming) { messages, writer, context in
      try await handler(
        RequestStream(messages: messages), ResponseStreamWriter(writer: writer), context)
    }
  }
}
