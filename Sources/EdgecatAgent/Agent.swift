import EdgecatFlags
import EdgecatLog
import EdgecatRPC
import EdgecatStore
import Glibc

/// The whole agent: its database, spool, model manager, uplink tasks and local service.
public final class Agent: Sendable {
  public let spool: Spool
  public let manager: ModelManager
  public let forwarder: Forwarder
  public let heartbeater: Heartbeater
  public let reporter: StateReporter
  public let uplink: Uplink
  public let server: RPCServer
  /// The bound port of the local service.
  public let port: Int
  let store: Store
  let tasks: [Task<Void, Never>]
  let logger = Logger(component: "agent")

  /// Opens the data folder, starts the local service and the tasks that talk to the registry
  /// and telemetry. `deviceToken` and `localToken` are the tokens, already read.
  /// `onForeignPrincipal` runs once when telemetry reports that the device token is not
  /// `device:<id>`'s, with the principal it authenticated or an empty string when telemetry
  /// denied the heartbeat. The caller should then stop the agent.
  public static func start(
    options: AgentOptions, deviceToken: String, localToken: String,
    group: EventLoopGroup = .shared,
    onForeignPrincipal: @escaping @Sendable (String) -> Void = { _ in }
  ) async throws -> Agent {
    try createDataDirectory(options.dataDirectory)
    let store = try await AgentDatabase.open(dataDirectory: options.dataDirectory)
    let spool = try await Spool.open(store: store, maximumBytes: options.spoolMaximumBytes)
    let uplink = Uplink(
      deviceID: options.deviceID, token: deviceToken, registryEndpoint: options.registryEndpoint,
      telemetryEndpoint: options.telemetryEndpoint, group: group)
    let reporter = StateReporter(uplink: uplink)
    let health = options.healthCommand.map {
      HealthCommand(command: $0, timeout: options.healthTimeout)
    }
    let manager = try await ModelManager.open(
      store: store, dataDirectory: options.dataDirectory, uplink: uplink, reporter: reporter,
      healthCommand: health)
    let forwarder = Forwarder(
      spool: spool, uplink: uplink, batchRecords: options.batchRecords, window: options.window)
    let heartbeater = Heartbeater(
      uplink: uplink, spool: spool, interval: options.heartbeatInterval,
      dataDirectory: options.dataDirectory, onForeignPrincipal: onForeignPrincipal)
    let follower = DesiredStateFollower(uplink: uplink, manager: manager)

    let service = AgentService(spool: spool, models: manager, localToken: localToken)
    var configuration = ServerConfiguration()
    configuration.shutdownGracePeriod = .seconds(2)
    let server = RPCServer(services: [service], configuration: configuration, group: group)
    let port = try server.start(listeningOn: options.listen)

    let tasks = [
      Task { await reporter.run() },
      Task { await manager.run() },
      Task { await follower.run() },
      Task { await forwarder.run() },
      Task { await heartbeater.run() },
    ]
    let agent = Agent(
      spool: spool, manager: manager, forwarder: forwarder, heartbeater: heartbeater,
      reporter: reporter, uplink: uplink, server: server, port: port, store: store, tasks: tasks)
    agent.logger.info(
      "agent started",
      [
        "device_id": options.deviceID, "listen": options.listen, "port": port,
        "registry": options.registryEndpoint, "telemetry": options.telemetryEndpoint,
        "version": AgentVersion.current,
      ])
    return agent
  }

  private init(
    spool: Spool, manager: ModelManager, forwarder: Forwarder, heartbeater: Heartbeater,
    reporter: StateReporter, uplink: Uplink, server: RPCServer, port: Int, store: Store,
    tasks: [Task<Void, Never>]
  ) {
    self.spool = spool
    self.manager = manager
    self.forwarder = forwarder
    self.heartbeater = heartbeater
    self.reporter = reporter
    self.uplink = uplink
    self.server = server
    self.port = port
    self.store = store
    self.tasks = tasks
  }

  /// Creates a folder and its missing parents with mode 0700, as `mkdir -p` does.
  public static func createDataDirectory(_ path: String) throws {
    var prefix = path.hasPrefix("/") ? "/" : ""
    for part in path.split(separator: "/") {
      prefix += part
      if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
        throw FileError.last("creating the data folder", prefix)
      }
      prefix += "/"
    }
  }

  /// Stops the local service and the tasks, then closes the connections and the database.
  public func stop() async {
    manager.assignments.finishAll()
    await server.shutdown()
    for task in tasks { task.cancel() }
    for task in tasks { await task.value }
    uplink.close()
    store.close()
    let spooled = spool.statistics
    logger.info(
      "agent stopped",
      ["spool_records": spooled.records, "spool_quarantined": spooled.quarantined])
  }
}
