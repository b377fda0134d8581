import CLinux
import EdgecatLog
import Glibc
import Synchronization

/// A gRPC server over cleartext HTTP/2 (h2c with prior knowledge). Connections are spread over
/// the event loops of a group; handlers run as Swift tasks. Thread-safe.
public final class RPCServer: @unchecked Sendable {
  public let configuration: ServerConfiguration
  let logger: Logger
  private let group: EventLoopGroup
  private let methods: [String: RPCMethod]
  /// Names of the services registered, sorted; reflection lists them.
  public let serviceNames: [String]
  private let connections = Mutex<[ObjectIdentifier: ServerConnection]>([:])
  private let listener = Mutex<Listener?>(nil)
  let shutdownFlag = ShutdownFlag()
  /// The server's `grpc.health.v1.Health` service, nil when standard services are left out.
  public let health: HealthService?

  /// Creates a server for `services`. Unless `standardServices` is false it also serves
  /// `grpc.health.v1.Health` (each service SERVING) and server reflection, v1 and v1alpha.
  public init(
    services: [any RPCService], standardServices: Bool = true,
    configuration: ServerConfiguration = ServerConfiguration(),
    group: EventLoopGroup = .shared, logger: Logger = Logger(component: "rpc")
  ) {
    self.configuration = configuration
    self.group = group
    self.logger = logger
    var all = services
    var health: HealthService?
    if standardServices {
      let names = services.map(\.serviceName)
      let healthService = HealthService(servingServices: names)
      health = healthService
      all.append(healthService)
      all.append(ReflectionService(services: names + [healthService.serviceName]))
    }
    self.health = health
    var methods: [String: RPCMethod] = [:]
    var names: Set<String> = []
    for service in all {
      for method in service.methods {
        methods[method.path] = method
        names.insert(Self.serviceName(ofPath: method.path))
      }
    }
    self.methods = methods
    serviceNames = names.sorted()
  }

  /// `/package.Service/Method` to `package.Service`.
  private static func serviceName(ofPath path: String) -> String {
    let trimmed = path.hasPrefix("/") ? path.dropFirst() : path[...]
    return String(trimmed.split(separator: "/").first ?? "")
  }

  func method(for path: String) -> RPCMethod? { methods[path] }

  /// Whether the server has any method of the service that `path` names.
  func servesService(of path: String) -> Bool {
    serviceNames.contains(Self.serviceName(ofPath: path))
  }

  /// Binds and starts accepting; returns the bound port (useful with port 0).
  @discardableResult
  public func start(listeningOn endpoint: Endpoint) throws -> Int {
    let (fd, port) = try Socket.listen(on: endpoint)
    let loop = group.loops[0]
    let acceptor = Listener(fd: fd, server: self, loop: loop)
    listener.withLock { $0 = acceptor }
    loop.execute { loop.register(fd, acceptor, events: clinux_epollin()) }
    logger.info(
      "server started",
      [
        "listen": Endpoint(host: endpoint.host, port: port), "services": serviceNames.count,
      ])
    return port
  }

  func accepted(_ fd: Int32) {
    Socket.setNoDelay(fd)
    let loop = group.nextLoop()
    let peer = Socket.peerName(fd)
    loop.execute { [self] in
      let connection = ServerConnection(server: self, loop: loop, fd: fd, peer: peer)
      connections.withLock { $0[ObjectIdentifier(connection)] = connection }
      connection.start()
    }
  }

  func connectionDidClose(_ connection: ServerConnection) {
    connections.withLock { _ = $0.removeValue(forKey: ObjectIdentifier(connection)) }
  }

  /// Number of open connections.
  public var connectionCount: Int { connections.withLock { $0.count } }

  /// Stops accepting, sends GOAWAY on every connection, lets in-flight calls finish within the
  /// grace period, then ends what is left with UNAVAILABLE and closes every connection.
  public func shutdown() async {
    if let acceptor = listener.withLock({ $0 }) {
      await acceptor.loop.run { acceptor.stop() }
    }
    shutdownFlag.set()
    health?.markAllNotServing()
    let open = connections.withLock { Array($0.values) }
    logger.info("server shutting down", ["connections": open.count])
    for connection in open { connection.loop.execute { connection.beginShutdown() } }
    let deadline = Deadline.after(configuration.shutdownGracePeriod)
    while connectionCount > 0 && !deadline.hasPassed {
      try? await Task.sleep(for: .milliseconds(5))
    }
    let remaining = connections.withLock { Array($0.values) }
    for connection in remaining {
      await connection.loop.run { connection.forceClose() }
    }
    logger.info("server stopped", ["forced_connections": remaining.count])
  }
}

extension EventLoop {
  /// Runs `work` on the loop and waits for it.
  func run(_ work: @escaping () -> Void) async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      execute {
        work()
        continuation.resume()
      }
    }
  }
}
