import EdgecatLog
import Synchronization

/// Settings of an `RPCClient`.
public struct ClientConfiguration: Sendable {
  /// Largest response message accepted, in bytes; larger ones end the call with
  /// RESOURCE_EXHAUSTED.
  public var maximumReceiveMessageSize = 4 * 1024 * 1024
  /// How long a connection attempt may take before calls on it fail with UNAVAILABLE.
  public var connectTimeout: Duration = .seconds(5)
  /// The `:authority` of requests; the endpoint's `HOST:PORT` when nil.
  public var authority: String?
  /// SETTINGS_INITIAL_WINDOW_SIZE, in bytes.
  public var initialWindowSize = 1 << 20
  /// The connection-level receive window, in bytes.
  public var connectionWindowSize = 16 << 20
  /// Responses received but not read yet, in bytes, beyond which the client stops returning
  /// window to the server.
  public var inboundHighWater = 1 << 20

  public init() {}
}

/// The response of a unary call.
public struct UnaryResponse: Sendable {
  public var message: [UInt8]
  public var headers: Metadata
  public var trailers: Metadata
}

/// A gRPC client for one endpoint: every call shares one HTTP/2 connection, opened on first use
/// and opened again after the server closed it or sent GOAWAY. Failures to connect end calls
/// with UNAVAILABLE. Thread-safe.
public final class RPCClient: Sendable {
  public let endpoint: Endpoint
  public let configuration: ClientConfiguration
  private let group: EventLoopGroup
  private let current = Mutex<ClientConnection?>(nil)

  public init(
    endpoint: Endpoint, configuration: ClientConfiguration = ClientConfiguration(),
    group: EventLoopGroup = .shared
  ) {
    self.endpoint = endpoint
    self.configuration = configuration
    self.group = group
  }

  /// Starts a call of any shape. Send requests with `send`, end them with `closeSend`, read
  /// `responses` and `status`. `timeout` becomes the call's deadline and its `grpc-timeout`.
  public func makeCall(method: String, metadata: Metadata = Metadata(), timeout: Duration? = nil)
    -> ClientCall
  {
    let call = ClientCall(
      method: method, metadata: metadata, deadline: timeout.map(Deadline.after),
      maximumMessageSize: configuration.maximumReceiveMessageSize)
    start(call)
    return call
  }

  private func start(_ call: ClientCall) {
    do {
      let connection = try connection()
      connection.loop.execute { connection.startCall(call) }
    } catch {
      call.complete(error.status)
    }
  }

  /// Sends one request and returns the one response, or throws the call's status.
  public func unary(
    method: String, request: [UInt8], metadata: Metadata = Metadata(), timeout: Duration? = nil
  ) async throws(RPCError) -> UnaryResponse {
    let call = makeCall(method: method, metadata: metadata, timeout: timeout)
    do {
      try await call.send(request)
    } catch {
      throw RPCError(status: await call.status)
    }
    call.closeSend()
    var response: [UInt8]?
    do {
      for try await message in call.responses {
        guard response == nil else {
          call.cancel()
          throw RPCError(.internal, "the server sent more than one response to a unary call")
        }
        response = message
      }
    } catch let error as RPCError {
      if error.code == .internal && error.message.hasPrefix("the server sent more") { throw error }
    } catch {}
    let status = await call.status
    guard status.code == .ok else { throw RPCError(status: status) }
    guard let response else {
      throw RPCError(.internal, "the server ended a unary call with OK but sent no response")
    }
    return UnaryResponse(message: response, headers: await call.headers, trailers: status.trailers)
  }

  /// Closes the connection; calls still running end with UNAVAILABLE.
  public func close() {
    guard let connection = current.withLock({ $0 }) else { return }
    connection.loop.execute { connection.close(reason: "the client was closed") }
  }

  private func connection() throws(RPCError) -> ClientConnection {
    try current.withLock { current throws(RPCError) -> ClientConnection in
      if let existing = current, existing.acceptsCalls { return existing }
      let fd: Int32
      do {
        fd = try Socket.connect(to: endpoint)
      } catch {
        throw RPCError(status: error.status)
      }
      let loop = group.nextLoop()
      let connection = ClientConnection(
        loop: loop, fd: fd, endpoint: endpoint, configuration: configuration,
        restart: { [weak self] call in
          guard let self else {
            return call.complete(RPCStatus(code: .unavailable, message: "the client was closed"))
          }
          self.start(call)
        })
      loop.execute { connection.start() }
      current = connection
      return connection
    }
  }
}

extension Error {
  /// The gRPC status of an error: its own for `RPCError`, CANCELLED for cancellation and
  /// UNKNOWN otherwise.
  var status: RPCStatus {
    if let error = self as? RPCError { return error.status }
    if self is CancellationError {
      return RPCStatus(code: .cancelled, message: "the call was cancelled")
    }
    return RPCStatus(code: .unknown, message: "\(self)")
  }
}
