/// Limits and timers of an `RPCServer`.
public struct ServerConfiguration: Sendable {
  /// Largest request message accepted, in bytes; larger ones end the call with
  /// RESOURCE_EXHAUSTED.
  public var maximumReceiveMessageSize = 4 * 1024 * 1024
  /// SETTINGS_MAX_CONCURRENT_STREAMS: calls one connection may have open at once.
  public var maximumConcurrentStreams = 256
  /// SETTINGS_MAX_HEADER_LIST_SIZE, in bytes as RFC 7540 counts them; larger requests end with
  /// RESOURCE_EXHAUSTED.
  public var maximumHeaderListSize = 16 * 1024
  /// A connection with no open call for this long is sent GOAWAY and closed; nil keeps it.
  public var idleTimeout: Duration? = .seconds(300)
  /// A connection that has sent no bytes this long after it was accepted is closed, so clients
  /// that connect and stay silent do not hold file descriptors.
  public var handshakeTimeout: Duration = .seconds(10)
  /// How long in-flight calls may run after shutdown starts before they are ended.
  public var shutdownGracePeriod: Duration = .seconds(10)
  /// SETTINGS_INITIAL_WINDOW_SIZE, in bytes: what a client may send on one stream before the
  /// server returns window.
  public var initialWindowSize = 1 << 20
  /// The connection-level receive window, in bytes.
  public var connectionWindowSize = 16 << 20
  /// Received messages a handler has not read yet, in bytes, beyond which the server stops
  /// returning window to the client.
  public var inboundHighWater = 1 << 20

  /// Handlers start on their connection's event loop thread, which saves two thread wakeups per
  /// call. A handler that blocks then stalls every call on its loop, so blocking work (SQLite,
  /// fsync, file I/O) belongs on a thread of its own, as `EdgecatStore` does. When false,
  /// handlers run on Swift's global concurrent executor instead.
  public var runsHandlersOnEventLoop = true

  public init() {}
}
