import EdgecatCatalog
import EdgecatCatalogServer
import EdgecatPolicy
import EdgecatPolicyServer
import EdgecatProto
import EdgecatRPC
import EdgecatRegistry
import EdgecatRegistryServer
import EdgecatServiceKit
import Glibc
import Synchronization

/// The policy, catalog and registry services on loopback ports over fresh databases. The
/// policy service is bootstrapped with admin@example.com, `service:catalog` and
/// `service:registry`, and alice and bob exist with tokens. The catalog has `main.ml` and the
/// table `main.features.images`, and alice may use both schemas and create models in `main.ml`.
/// The catalog and registry servers can be stopped and started again on their ports.
final class RegistryFixture: Sendable {
  let folder: String
  let group: EventLoopGroup
  let policyEngine: PolicyEngine
  let policyServer: RPCServer
  let catalogEngine: CatalogEngine
  /// The running catalog server, nil while it is stopped.
  private let catalogServer: Mutex<RPCServer?>
  let catalogPolicy: PolicyClient
  private let registryToken: String
  private let rolloutDefaults: RolloutDefaults
  private let maximumArtifactBytes: Int64
  /// The running registry, nil while it is stopped.
  private let registry: Mutex<RegistryRuntime?>
  let policyEndpoint: Endpoint
  let catalogEndpoint: Endpoint
  let registryEndpoint: Endpoint
  let adminToken: String
  let aliceToken: String
  let bobToken: String

  static let admin = "admin@example.com"
  static let alice = "alice@example.com"
  static let bob = "bob@example.com"

  /// Rollout defaults short enough for tests: 50 ms of soak and a 3 s stage timeout.
  static let testRolloutDefaults = RolloutDefaults(
    soakMilliseconds: 50, stageTimeoutMilliseconds: 3000)

  /// Starts the services. The rollout scheduler steps every 20 ms. Unless `deliversLineage`
  /// is set, the registry queues lineage edges in its outbox but does not send them, like a
  /// registry that stops after each commit.
  static func start(
    maximumArtifactBytes: Int64 = 1 << 20, rolloutDefaults: RolloutDefaults = testRolloutDefaults,
    deliversLineage: Bool = true
  ) async throws -> RegistryFixture {
    var template = Array("/tmp/edgecat-registry-server-test-XXXXXX".utf8CString)
    guard mkdtemp(&template) != nil else { throw RPCError(.internal, "mkdtemp failed") }
    let folder = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    let policyEngine = try await PolicyEngine.open(path: folder + "/policy.db")
    guard
      let tokens = try await policyEngine.bootstrap(
        admin: admin, services: ["catalog", "registry"])
    else { throw RPCError(.internal, "bootstrap did not run on a new database") }
    let context = RequestContext(principal: admin, requestID: "fixture")
    try await policyEngine.createPrincipal(alice, kind: .user, context: context)
    try await policyEngine.createPrincipal(bob, kind: .user, context: context)
    let aliceToken = try await policyEngine.createToken(for: alice, context: context)
    let bobToken = try await policyEngine.createToken(for: bob, context: context)

    let group = EventLoopGroup(threads: 2)
    var configuration = ServerConfiguration()
    configuration.shutdownGracePeriod = .milliseconds(200)
    let policyServer = RPCServer(
      services: [PolicyServer(engine: policyEngine)], configuration: configuration, group: group)
    let policyEndpoint = try loopback(policyServer)

    let catalogEngine = try await CatalogEngine.open(path: folder + "/catalog.db")
    let catalogPolicy = PolicyClient(
      endpoint: policyEndpoint, serviceToken: tokens.services[0].secret, group: group)
    catalogPolicy.startWatching()
    let catalogServer = RPCServer(
      services: [try CatalogServer(engine: catalogEngine, policy: catalogPolicy)],
      configuration: configuration, group: group)
    let catalogEndpoint = try loopback(catalogServer)

    let registryToken = tokens.services[1].secret
    let registry = try await RegistryRuntime.start(
      folder: folder, port: 0, policyEndpoint: policyEndpoint, catalogEndpoint: catalogEndpoint,
      token: registryToken, maximumArtifactBytes: maximumArtifactBytes,
      rolloutDefaults: rolloutDefaults, deliversLineage: deliversLineage, group: group)

    let fixture = RegistryFixture(
      folder: folder, group: group, policyEngine: policyEngine, policyServer: policyServer,
      catalogEngine: catalogEngine, catalogServer: catalogServer, catalogPolicy: catalogPolicy,
      registry: registry, registryToken: registryToken,
      settings: (rolloutDefaults, maximumArtifactBytes),
      endpoints: (policyEndpoint, catalogEndpoint, registry.endpoint),
      tokens: (tokens.admin.secret, aliceToken.secret, bobToken.secret))
    try await fixture.createNamespace()
    return fixture
  }

  static var serverConfiguration: ServerConfiguration {
    var configuration = ServerConfiguration()
    configuration.shutdownGracePeriod = .milliseconds(200)
    return configuration
  }

  private static func loopback(_ server: RPCServer) throws -> Endpoint {
    let port = try server.start(listeningOn: Endpoint(host: "127.0.0.1", port: 0))
    return Endpoint(host: "127.0.0.1", port: port)
  }

  private init(
    folder: String, group: EventLoopGroup, policyEngine: PolicyEngine, policyServer: RPCServer,
    catalogEngine: CatalogEngine, catalogServer: RPCServer, catalogPolicy: PolicyClient,
    registry: RegistryRuntime, registryToken: String, settings: (RolloutDefaults, Int64),
    endpoints: (Endpoint, Endpoint, Endpoint), tokens: (String, String, String)
  ) {
    self.folder = folder
    self.group = group
    self.policyEngine = policyEngine
    self.policyServer = policyServer
    self.catalogEngine = catalogEngine
    self.catalogServer = Mutex(catalogServer)
    self.catalogPolicy = catalogPolicy
    self.registry = Mutex(registry)
    self.registryToken = registryToken
    (rolloutDefaults, maximumArtifactBytes) = settings
    (policyEndpoint, catalogEndpoint, registryEndpoint) = endpoints
    (adminToken, aliceToken, bobToken) = tokens
  }

  /// Creates `main.ml` and `main.features.images`, and lets alice use them and create models.
  private func createNamespace() async throws(RPCError) {
    var createCatalog = Edgecat_Catalog_V1_CreateCatalogRequest()
    createCatalog.name = "main"
    let _: Edgecat_Catalog_V1_CatalogInfo = try await catalog(
      "CreateCatalog", createCatalog, token: adminToken)
    for schema in ["ml", "features"] {
      var request = Edgecat_Catalog_V1_CreateSchemaRequest()
      request.catalogName = "main"
      request.name = schema
      let _: Edgecat_Catalog_V1_SchemaInfo = try await catalog(
        "CreateSchema", request, token: adminToken)
    }
    var table = Edgecat_Catalog_V1_CreateTableRequest()
    table.catalogName = "main"
    table.schemaName = "features"
    table.name = "images"
    var column = Edgecat_Catalog_V1_ColumnInfo()
    column.name = "id"
    column.type = "BIGINT"
    table.columns = [column]
    let _: Edgecat_Catalog_V1_TableInfo = try await catalog(
      "CreateTable", table, token: adminToken)
    try await grant(["USE_CATALOG"], on: .catalog, "main", to: Self.alice)
    try await grant(["USE_SCHEMA", "CREATE_MODEL"], on: .schema, "main.ml", to: Self.alice)
    try await grant(["USE_SCHEMA", "SELECT"], on: .schema, "main.features", to: Self.alice)
  }

  /// The running registry's engine. Fails the test when the registry is stopped.
  var registryEngine: RegistryEngine {
    guard let engine = registry.withLock({ $0?.engine }) else {
      preconditionFailure("the fixture's registry is stopped; call startRegistry first")
    }
    return engine
  }

  /// Stops the catalog server, so that calls to it fail with UNAVAILABLE.
  func stopCatalog() async {
    let server = catalogServer.withLock { server in
      defer { server = nil }
      return server
    }
    await server?.shutdown()
  }

  /// Starts the catalog server again on its port, over the same database.
  func startCatalog() throws {
    let server = RPCServer(
      services: [try CatalogServer(engine: catalogEngine, policy: catalogPolicy)],
      configuration: Self.serverConfiguration, group: group)
    _ = try server.start(listeningOn: catalogEndpoint)
    catalogServer.withLock { $0 = server }
  }

  /// Stops the registry server, its background tasks and its outbox sender, and closes its
  /// database, as a registry process that exits does.
  func stopRegistry() async {
    let running = registry.withLock { registry in
      defer { registry = nil }
      return registry
    }
    await running?.stop()
  }

  /// Starts a registry again on its port, over the same data folder, which sends the lineage
  /// outbox unless `deliversLineage` is false.
  func startRegistry(deliversLineage: Bool = true) async throws {
    let started = try await RegistryRuntime.start(
      folder: folder, port: registryEndpoint.port, policyEndpoint: policyEndpoint,
      catalogEndpoint: catalogEndpoint, token: registryToken,
      maximumArtifactBytes: maximumArtifactBytes, rolloutDefaults: rolloutDefaults,
      deliversLineage: deliversLineage, group: group)
    registry.withLock { $0 = started }
  }

  func stop() async {
    await stopRegistry()
    await stopCatalog()
    catalogPolicy.close()
    await policyServer.shutdown()
    await catalogEngine.close()
    policyEngine.close()
    group.shutdown()
    _ = system("rm -rf '\(folder)'")
  }
}

/// One run of the registry service over the fixture's data folder: its engine, clients,
/// background tasks, lineage outbox sender and server.
private struct RegistryRuntime: Sendable {
  let engine: RegistryEngine
  let server: RPCServer
  let endpoint: Endpoint
  let policy: PolicyClient
  let catalog: CatalogClient
  let lineage: LineageOutboxSender
  let tasks: [Task<Void, Never>]

  /// Opens the registry database in `folder` and serves it on `port`, 0 for any free port.
  /// The rollout scheduler steps every 20 ms, and the outbox sender, started only when
  /// `deliversLineage` is set, retries after at most 200 ms.
  static func start(
    folder: String, port: Int, policyEndpoint: Endpoint, catalogEndpoint: Endpoint,
    token: String, maximumArtifactBytes: Int64, rolloutDefaults: RolloutDefaults,
    deliversLineage: Bool, group: EventLoopGroup
  ) async throws -> RegistryRuntime {
    let engine = try await RegistryEngine.open(
      path: folder + "/registry.db", blobPath: folder + "/blobs",
      maximumArtifactBytes: maximumArtifactBytes)
    let policy = PolicyClient(endpoint: policyEndpoint, serviceToken: token, group: group)
    let catalog = CatalogClient.catalog(
      endpoint: catalogEndpoint, serviceToken: token, group: group)
    let follower = try ModelDropFollower(
      engine: engine, policy: policy, principal: "service:registry")
    policy.startWatching()
    let following = Task { await follower.run() }
    let scheduler = try RolloutScheduler(
      engine: engine, interval: .milliseconds(20), principal: "service:registry")
    let rollouts = Task { await scheduler.run() }
    let lineage = LineageOutboxSender(
      engine: engine, catalog: catalog, initialRetryDelay: .milliseconds(20),
      maximumRetryDelay: .milliseconds(200))
    if deliversLineage { lineage.start() }
    let service = try RegistryServer(
      engine: engine, policy: policy, catalog: catalog, rolloutDefaults: rolloutDefaults)
    let server = RPCServer(
      services: [service], configuration: RegistryFixture.serverConfiguration, group: group)
    let boundPort = try server.start(listeningOn: Endpoint(host: "127.0.0.1", port: port))
    return RegistryRuntime(
      engine: engine, server: server, endpoint: Endpoint(host: "127.0.0.1", port: boundPort),
      policy: policy, catalog: catalog, lineage: lineage, tasks: [following, rollouts])
  }

  func stop() async {
    await server.shutdown()
    for task in tasks { task.cancel() }
    await lineage.stop()
    policy.close()
    catalog.close()
    await engine.close()
  }
}
