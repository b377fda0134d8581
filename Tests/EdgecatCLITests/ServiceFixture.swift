import EdgecatCatalog
import EdgecatCatalogServer
import EdgecatPolicy
import EdgecatPolicyServer
import EdgecatRPC
import EdgecatRegistry
import EdgecatRegistryServer
import EdgecatServiceKit
import Foundation

/// A policy service and a catalog service on loopback ports over fresh databases, in this
/// process, for the built `edgecat` binary to call. The policy service is bootstrapped with
/// the admin admin@example.com, whose token is in `adminTokenFile`. `home` is an empty
/// folder that the binary gets as HOME. With `registry: true`, a registry service runs too.
final class ServiceFixture: Sendable {
  let folder: String
  let home: String
  let adminTokenFile: String
  let adminToken: String
  let policyEndpoint: Endpoint
  let catalogEndpoint: Endpoint
  private let policyEngine: PolicyEngine
  private let policyServer: RPCServer
  private let catalogEngine: CatalogEngine
  private let catalogServer: RPCServer
  private let policyClient: PolicyClient
  let group: EventLoopGroup
  let registryToken: String
  let registry = RegistryHolder()

  static let admin = "admin@example.com"

  /// Starts the services, runs `body` and stops them, also when `body` throws. At most
  /// `FixtureSlots.count` fixtures run at once, because each holds two services whose calls
  /// have deadlines that a crowded two-core machine would miss.
  static func with<Result>(
    registry: Bool = false, _ body: (ServiceFixture) async throws -> Result
  ) async throws -> Result {
    await FixtureSlots.shared.acquire()
    defer { Task { await FixtureSlots.shared.release() } }
    let fixture = try await ServiceFixture()
    do {
      if registry { try await fixture.startRegistry() }
      let result = try await body(fixture)
      await fixture.stop()
      return result
    } catch {
      await fixture.stop()
      throw error
    }
  }

  private init() async throws {
    folder = try temporaryFolder("edgecat-cli-test")
    home = folder + "/home"
    try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    policyEngine = try await PolicyEngine.open(path: folder + "/policy.db")
    guard
      let tokens = try await policyEngine.bootstrap(
        admin: Self.admin, services: ["catalog", "registry"])
    else { throw RPCError(.internal, "bootstrap did not run on a new database") }
    registryToken = tokens.services[1].secret
    adminToken = tokens.admin.secret
    adminTokenFile = folder + "/admin.token"
    try (adminToken + "\n").write(toFile: adminTokenFile, atomically: true, encoding: .utf8)

    group = EventLoopGroup(threads: 2)
    var configuration = ServerConfiguration()
    configuration.shutdownGracePeriod = .milliseconds(200)
    policyServer = RPCServer(
      services: [PolicyServer(engine: policyEngine)], configuration: configuration, group: group)
    let policyPort = try policyServer.start(listeningOn: Endpoint(host: "127.0.0.1", port: 0))
    policyEndpoint = Endpoint(host: "127.0.0.1", port: policyPort)

    catalogEngine = try await CatalogEngine.open(path: folder + "/catalog.db")
    policyClient = PolicyClient(
      endpoint: policyEndpoint, serviceToken: tokens.services[0].secret, group: group)
    policyClient.startWatching()
    let catalog = try CatalogServer(engine: catalogEngine, policy: policyClient)
    catalogServer = RPCServer(services: [catalog], configuration: configuration, group: group)
    let catalogPort = try catalogServer.start(listeningOn: Endpoint(host: "127.0.0.1", port: 0))
    catalogEndpoint = Endpoint(host: "127.0.0.1", port: catalogPort)
  }

  /// The environment the binary runs with: HOME, the endpoints and the admin's token file.
  var environment: [String: String] {
    var environment = [
      "HOME": home, "PATH": "/usr/bin:/bin",
      "EDGECAT_POLICY_ENDPOINT": policyEndpoint.description,
      "EDGECAT_CATALOG_ENDPOINT": catalogEndpoint.description,
      "EDGECAT_TOKEN_FILE": adminTokenFile,
    ]
    // Services the fixture does not run point at a closed port, never at another process
    // that happens to listen on a default port.
    environment["EDGECAT_REGISTRY_ENDPOINT"] =
      registry.parts?.endpoint.description ?? "127.0.0.1:1"
    environment["EDGECAT_TELEMETRY_ENDPOINT"] = "127.0.0.1:1"
    return environment
  }

  /// Runs `edgecat` with `arguments` as the admin; `environment` adds to or replaces the
  /// fixture's variables, and a nil value removes one.
  func edgecat(
    _ arguments: String..., environment overrides: [String: String?] = [:], input: String? = nil
  ) async throws -> CLIResult {
    var environment = self.environment
    for (key, value) in overrides { environment[key] = value }
    return try await CLIRunner.run(arguments, environment: environment, input: input)
  }

  /// Runs `edgecat` and fails unless it exits 0.
  @discardableResult
  func succeed(_ arguments: String..., input: String? = nil) async throws -> CLIResult {
    let result = try await CLIRunner.run(arguments, environment: environment, input: input)
    guard result.status == 0 else {
      throw CLIFailure(
        "edgecat \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
    }
    return result
  }

  /// Creates a user through the CLI and returns a token for it.
  func createUser(_ name: String) async throws -> String {
    try await succeed("principal", "create", name)
    let created = try await succeed("--output", "json", "token", "create", name)
    guard let token = try created.json()["token"] as? String else {
      throw CLIFailure("token create printed no token: \(created.stdout)")
    }
    return token
  }

  /// Writes `text` to a file in the fixture's folder and returns its path.
  func write(_ text: String, to name: String) throws -> String {
    let path = folder + "/" + name
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  private func stop() async {
    await registry.parts?.stop()
    await catalogServer.shutdown()
    policyClient.close()
    await policyServer.shutdown()
    await catalogEngine.close()
    policyEngine.close()
    group.shutdown()
    try? FileManager.default.removeItem(atPath: folder)
  }
}

/// A counting semaphore for fixtures.
actor FixtureSlots {
  static let count = 2
  static let shared = FixtureSlots()
  private var available = count
  private var waiters: [CheckedContinuation<Void, Never>] = []

  func acquire() async {
    if available > 0 {
      available -= 1
      return
    }
    await withCheckedContinuation { waiters.append($0) }
  }

  func release() {
    if waiters.isEmpty {
      available += 1
    } else {
      waiters.removeFirst().resume()
    }
  }
}

/// Creates a new folder under /tmp whose name starts with `prefix`.
func temporaryFolder(_ prefix: String) throws -> String {
  var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
  guard mkdtemp(&template) != nil else { throw CLIFailure("mkdtemp failed: errno \(errno)") }
  return String(decoding: template.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)
}

struct CLIFailure: Error, CustomStringConvertible {
  let description: String

  init(_ description: String) {
    self.description = description
  }
}
