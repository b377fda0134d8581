import EdgecatProto
import EdgecatRPC

/// A streaming call of one service, whose failures become `CLIError`s as unary calls' do.
struct StreamingCall<Request: ProtoMessage, Response: ProtoMessage>: Sendable {
  let call: TypedCall<Request, Response>
  let service: Service
  let clients: ServiceClients

  /// Sends one request; a call that has ended with an error throws its status.
  func send(_ request: Request) async throws {
    do {
      try await call.send(request)
    } catch let error as RPCError {
      throw clients.describe(error, service: service)
    }
  }

  func closeSend() { call.closeSend() }

  func cancel() { call.cancel() }

  /// Calls `body` with each response in order, then checks the final status.
  func forEachResponse(_ body: (Response) async throws -> Void) async throws {
    do {
      for try await response in call.responses { try await body(response) }
      let status = await call.status
      guard status.code == .ok else { throw RPCError(status: status) }
    } catch let error as RPCError {
      throw clients.describe(error, service: service)
    }
  }
}

extension ServiceClients {
  /// Starts a call of any shape to `service`. With a nil `timeout` the call has no deadline,
  /// for transfers and watches that run as long as they have data.
  func stream<Request: ProtoMessage, Response: ProtoMessage>(
    _ service: Service, _ method: String, requestType: Request.Type = Request.self,
    responseType: Response.Type = Response.self, timeout: Duration?
  ) throws -> StreamingCall<Request, Response> {
    let metadata = try metadata(for: service)
    let call: TypedCall<Request, Response> = client(for: service).makeCall(
      "/\(service.grpcService)/\(method)", metadata: metadata, timeout: timeout)
    return StreamingCall(call: call, service: service, clients: self)
  }

  /// Calls a server-streaming method with one request and returns every response.
  func serverStream<Request: ProtoMessage, Response: ProtoMessage>(
    _ service: Service, _ method: String, _ request: Request,
    as responseType: Response.Type = Response.self
  ) async throws -> [Response] {
    let call: StreamingCall<Request, Response> = try stream(
      service, method, timeout: settings.timeout)
    try await call.send(request)
    call.closeSend()
    var responses: [Response] = []
    try await call.forEachResponse { responses.append($0) }
    return responses
  }
}
