import EdgecatCatalog
import EdgecatCatalogServer
import EdgecatCrypto
import EdgecatPolicy
import EdgecatPolicyServer
import EdgecatProto
import EdgecatRPC
import EdgecatRegistry
import EdgecatRegistryServer
import EdgecatServiceKit
import Glibc

/// The policy, catalog and registry services on loopback ports over fresh databases, as the
/// agent meets them. `setUpDevice` adds the model and the device.
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
  let rollouts: Task<Void, Never>
  let policyEndpoint: Endpoint
  let catalogEndpoint: Endpoint
  let registryEndpoint: Endpoint
  let adminToken: String

  static let deviceID = "dev-1"
  static let model = "main.ml.defects"

  static func start() async throws -> RegistryFixture {
    var template = Array("/tmp/edgecat-agent-registry-XXXXXX".utf8CString)
    guard mkdtemp(&template) != nil else { throw RPCError(.internal, "mkdtemp failed") }
    let folder = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    let policyEngine = try await PolicyEngine.open(path: folder + "/policy.db")
    guard
      let tokens = try await policyEngine.bootstrap(
        admin: "admin@example.com", services: ["catalog", "registry"])
    else { throw RPCError(.internal, "bootstrap did not run on a new database") }

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
      path: folder + "/registry.db", blobPath: folder + "/blobs", maximumArtifactBytes: 4 << 20)
    let registryPolicy = PolicyClient(
      endpoint: policyEndpoint, serviceToken: registryToken, group: group)
    let catalogClient = CatalogClient.catalog(
      endpoint: catalogEndpoint, serviceToken: registryToken, group: group)
    registryPolicy.startWatching()
    let scheduler = try RolloutScheduler(
      engine: registryEngine, interval: .milliseconds(20),
      principal: "service:registry")
    let rollouts = Task { await scheduler.run() }
    let registry = try RegistryServer(
      engine: registryEngine, policy: registryPolicy, catalog: catalogClient,
      rolloutDefaults: RolloutDefaults(soakMilliseconds: 10, stageTimeoutMilliseconds: 60_000))
    let registryServer = RPCServer(
      services: [registry], configuration: configuration, group: group)
    let registryEndpoint = try loopback(registryServer)

    let fixture = RegistryFixture(
      folder: folder, group: group, policy: (policyEngine, policyServer, policyEndpoint),
      catalog: (catalogEngine, catalogServer, catalogPolicy, catalogEndpoint),
      registry: (registryEngine, registryServer, registryPolicy, catalogClient, registryEndpoint),
      rollouts: rollouts, adminToken: tokens.admin.secret)
    return fixture
  }

  private static func loopback(_ server: RPCServer) throws -> Endpoint {
    let port = try server.start(listeningOn: Endpoint(host: "127.0.0.1", port: 0))
    return Endpoint(host: "127.0.0.1", port: port)
  }

  private init(
    folder: String, group: EventLoopGroup, policy: (PolicyEngine, RPCServer, Endpoint),
    catalog: (CatalogEngine, RPCServer, PolicyClient, Endpoint),
    registry: (RegistryEngine, RPCServer, PolicyClient, CatalogClient, Endpoint),
    rollouts: Task<Void, Never>, adminToken: String
  ) {
    self.folder = folder
    self.group = group
    (policyEngine, policyServer, policyEndpoint) = policy
    (catalogEngine, catalogServer, catalogPolicy, catalogEndpoint) = catalog
    (registryEngine, registryServer, registryPolicy, catalogClient, registryEndpoint) = registry
    self.rollouts = rollouts
    self.adminToken = adminToken
  }

  func stop() async {
    await registryServer.shutdown()
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
