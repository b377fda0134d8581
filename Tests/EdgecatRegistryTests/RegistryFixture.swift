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

/// The policy, catalog and registry services on loopback ports over fresh databases. The
/// policy service is bootstrapped with admin@example.com, `service:catalog` and
/// `service:registry`, and alice and bob exist with tokens. The catalog has `main.ml` and the
/// table `main.features.images`, and alice may use both schemas and create models in `main.ml`.
final class RegistryFixture: Sendable {
  let folder: String
  let group: EventLoopGroup
  let policyEngine: PolicyEngine
  let policyServer: RPCServer
  let catalogEngine: CatalogEngine
  let catalogServer: RPCServer
  let catalogPolicy: PolicyClient
  let registryEngine: RegistryEngine
  let registryServer: RPCServer
  let registryPolicy: PolicyClient
  let catalogClient: CatalogClient
  let following: Task<Void, Never>
  let rollouts: Task<Void, Never>
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

  /// Starts the services. The rollout scheduler steps every 20 ms.
  static func start(
    maximumArtifactBytes: Int64 = 1 << 20, rolloutDefaults: RolloutDefaults = testRolloutDefaults
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
    let registryEngine = try await RegistryEngine.open(
      path: folder + "/registry.db", blobPath: folder + "/blobs",
      maximumArtifactBytes: maximumArtifactBytes)
    let registryPolicy = PolicyClient(
      endpoint: policyEndpoint, serviceToken: registryToken, group: group)
    let catalogClient = CatalogClient.catalog(
      endpoint: catalogEndpoint, serviceToken: registryToken, group: group)
    let follower = try ModelDropFollower(
      engine: registryEngine, policy: registryPolicy, principal: "service:registry")
    registryPolicy.startWatching()
    let following = Task { await follower.run() }
    let scheduler = try RolloutScheduler(
      engine: registryEngine, catalog: catalogClient, interval: .milliseconds(20),
      principal: "service:registry")
    let rollouts = Task { await scheduler.run() }
    let registry = try RegistryServer(
      engine: registryEngine, policy: registryPolicy, catalog: catalogClient,
      rolloutDefaults: rolloutDefaults)
    let registryServer = RPCServer(
      services: [registry], configuration: configuration, group: group)
    let registryEndpoint = try loopback(registryServer)

    let fixture = RegistryFixture(
      folder: folder, group: group, policyEngine: policyEngine, policyServer: policyServer,
      catalogEngine: catalogEngine, catalogServer: catalogServer, catalogPolicy: catalogPolicy,
      registryEngine: registryEngine, registryServer: registryServer,
      registryPolicy: registryPolicy, catalogClient: catalogClient,
      tasks: (following, rollouts),
      endpoints: (policyEndpoint, catalogEndpoint, registryEndpoint),
      tokens: (tokens.admin.secret, aliceToken.secret, bobToken.secret))
    try await fixture.createNamespace()
    return fixture
  }

  private static func loopback(_ server: RPCServer) throws -> Endpoint {
    let port = try server.start(listeningOn: Endpoint(host: "127.0.0.1", port: 0))
    return Endpoint(host: "127.0.0.1", port: port)
  }

  private init(
    folder: String, group: EventLoopGroup, policyEngine: PolicyEngine, policyServer: RPCServer,
    catalogEngine: CatalogEngine, catalogServer: RPCServer, catalogPolicy: PolicyClient,
    registryEngine: RegistryEngine, registryServer: RPCServer, registryPolicy: PolicyClient,
    catalogClient: CatalogClient, tasks: (Task<Void, Never>, Task<Void, Never>),
    endpoints: (Endpoint, Endpoint, Endpoint), tokens: (String, String, String)
  ) {
    self.folder = folder
    self.group = group
    self.policyEngine = policyEngine
    self.policyServer = policyServer
    self.catalogEngine = catalogEngine
    self.catalogServer = catalogServer
    self.catalogPolicy = catalogPolicy
    self.registryEngine = registryEngine
    self.registryServer = registryServer
    self.registryPolicy = registryPolicy
    self.catalogClient = catalogClient
    (following, rollouts) = tasks
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

  func stop() async {
    await registryServer.shutdown()
    following.cancel()
    rollouts.cancel()
    registryPolicy.close()
    catalogClient.close()
    await catalogServer.shutdown()
    catalogPolicy.close()
    await policyServer.shutdown()
    await registryEngine.close()
    await catalogEngine.close()
    policyEngine.close()
    group.shutdown()
    _ = system("rm -rf '\(folder)'")
  }
}
