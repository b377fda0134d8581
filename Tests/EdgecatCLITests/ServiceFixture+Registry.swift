import EdgecatPolicyServer
import EdgecatRPC
import EdgecatRegistry
import EdgecatRegistryServer
import EdgecatServiceKit
import Foundation
import Synchronization

/// The registry service of a fixture: its engine, its clients of the policy and catalog
/// services, the rollout scheduler, the lineage outbox sender and the server.
struct RegistryParts: Sendable {
  let endpoint: Endpoint
  let engine: RegistryEngine
  let server: RPCServer
  let policy: PolicyClient
  let catalog: CatalogClient
  let lineage: LineageOutboxSender
  let tasks: [Task<Void, Never>]

  func stop() async {
    await server.shutdown()
    for task in tasks { task.cancel() }
    await lineage.stop()
    policy.close()
    catalog.close()
    await engine.close()
  }
}

/// The registry of a fixture once `startRegistry` ran. Thread-safe.
final class RegistryHolder: Sendable {
  private let state = Mutex<RegistryParts?>(nil)

  var parts: RegistryParts? { state.withLock { $0 } }

  func set(_ parts: RegistryParts) { state.withLock { $0 = parts } }
}

extension ServiceFixture {
  /// The largest artifact the fixture's registry accepts, in bytes.
  static let maximumArtifactBytes: Int64 = 8 << 20

  /// Starts the registry as `service:registry`, with the rollout scheduler stepping every
  /// 20 ms, 50 ms of soak and a 3 s stage timeout.
  func startRegistry() async throws {
    let engine = try await RegistryEngine.open(
      path: folder + "/registry.db", blobPath: folder + "/blobs",
      maximumArtifactBytes: Self.maximumArtifactBytes)
    let policy = PolicyClient(endpoint: policyEndpoint, serviceToken: registryToken, group: group)
    let catalog = CatalogClient.catalog(
      endpoint: catalogEndpoint, serviceToken: registryToken, group: group)
    let follower = try ModelDropFollower(
      engine: engine, policy: policy, principal: "service:registry")
    policy.startWatching()
    let scheduler = try RolloutScheduler(
      engine: engine, interval: .milliseconds(20), principal: "service:registry")
    let lineage = LineageOutboxSender(engine: engine, catalog: catalog)
    lineage.start()
    let service = try RegistryServer(
      engine: engine, policy: policy, catalog: catalog,
      rolloutDefaults: RolloutDefaults(soakMilliseconds: 50, stageTimeoutMilliseconds: 3000))
    var configuration = ServerConfiguration()
    configuration.shutdownGracePeriod = .milliseconds(200)
    let server = RPCServer(services: [service], configuration: configuration, group: group)
    let port = try server.start(listeningOn: Endpoint(host: "127.0.0.1", port: 0))
    registry.set(
      RegistryParts(
        endpoint: Endpoint(host: "127.0.0.1", port: port), engine: engine, server: server,
        policy: policy, catalog: catalog, lineage: lineage,
        tasks: [Task { await follower.run() }, Task { await scheduler.run() }]))
  }

  /// Creates the catalog `main` with the schemas `ml` and `features` and the table
  /// `main.features.images`, and the model `main.ml.defects`, as the admin.
  func createModelNamespace() async throws {
    try await succeed("catalog", "create", "main")
    try await succeed("schema", "create", "main.ml")
    try await succeed("schema", "create", "main.features")
    try await succeed("table", "create", "main.features.images", "--column", "id:BIGINT")
    try await succeed("model", "create", "main.ml.defects", "--comment", "defect detector")
  }
}

extension ServiceFixture {
  /// Runs `edgecat` with an array of arguments and fails unless it exits 0.
  @discardableResult
  func succeed(_ arguments: [String]) async throws -> CLIResult {
    let result = try await CLIRunner.run(arguments, environment: environment)
    guard result.status == 0 else {
      throw CLIFailure(
        "edgecat \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
    }
    return result
  }

  /// Writes `bytes` to a file in the fixture's folder and returns its path.
  func write(bytes: [UInt8], to name: String) throws -> String {
    let path = folder + "/" + name
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }
}
