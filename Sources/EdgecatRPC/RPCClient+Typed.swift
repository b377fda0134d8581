import EdgecatProto

/// A call whose messages are encoded and decoded as `Request` and `Response`.
public struct TypedCall<Request: ProtoMessage, Response: ProtoMessage>: Sendable {
  public let call: ClientCall

  public func send(_ request: Request) async throws {
    try await call.send(request.serializedBytes())
  }

  public func closeSend() { call.closeSend() }

  public func cancel() { call.cancel() }

  /// Decoded responses; a response that does not decode is INTERNAL, as the server sent it.
  public var responses: AsyncThrowingMapSequence<MessageStream, Response> {
    call.responses.map { bytes throws -> Response in
      do {
        return try Response(serializedBytes: bytes)
      } catch let error as ProtoDecodingError {
        throw RPCError(
          .internal, "invalid \(Response.protoMessageName) from the server: \(error.message)")
      }
    }
  }

  public var status: RPCStatus { get async { await call.status } }

  public var headers: Metadata { get async { await call.headers } }
}

extension RPCClient {
  /// Calls a unary method and decodes its response, or throws the call's status.
  public func unary<Request: ProtoMessage, Response: ProtoMessage>(
    _ path: String, _ request: Request, as responseType: Response.Type = Response.self,
    metadata: Metadata = Metadata(), timeout: Duration? = nil
  ) async throws(RPCError) -> Response {
    let response = try await unary(
      method: path, request: request.serializedBytes(), metadata: metadata, timeout: timeout)
    do {
      return try Response(serializedBytes: response.message)
    } catch {
      throw RPCError(
        .internal, "invalid \(Response.protoMessageName) from the server: \(error.message)")
    }
  }

  /// Starts a typed call of any shape; a unary or server-streaming call sends one request and
  /// then `closeSend`.
  public func makeCall<Request: ProtoMessage, Response: ProtoMessage>(
    _ path: String, requestType: Request.Type = Request.self,
    responseType: Response.Type = Response.self,
    metadata: Metadata = Metadata(), timeout: Duration? = nil
  ) -> TypedCall<Request, Response> {
    TypedCall(call: makeCall(method: path, metadata: metadata, timeout: timeout))
  }
}
