import EdgecatCatalog
import EdgecatCatalogServer
import EdgecatPolicy
import EdgecatPolicyServer
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit
import Glibc

/// A policy service and a catalog service on loopback ports over fresh databases. The policy
/// service is bootstrapped with admin@example.com and `service:catalog`; users alice and bob
/// exist with tokens and no grants.
final class CatalogFixture: Sendable {
  let folder: String
  let policyEngine: PolicyEngine
  let policyServer: RPCServer
  let catalogEngine: CatalogEngine
  let catalogServer: RPCServer
  let catalog: CatalogServer
  let policyClient: PolicyClient
  let group: EventLoopGroup
  let catalogEndpoint: Endpoint
  let policyEndpoint: Endpoint
  let adminToken: String
  let serviceToken: String
  let aliceToken: String
  let bobToken: String

  static let admin = "admin@example.com"

  static func start() async throws -> CatalogFixture {
    var template = Array("/tmp/edgecat-catalog-test-XXXXXX".utf8CString)
    guard mkdtemp(&template) != nil else { throw RPCError(.internal, "mkdtemp failed") }
    let folder = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    let policyEngine = try await PolicyEngine.open(path: folder + "/policy.db")
    guard let tokens = try await policyEngine.bootstrap(admin: admin, services: ["catalog"])
    else { throw RPCError(.internal, "bootstrap did not run on a new database") }
    let context = RequestContext(principal: admin, requestID: "fixture")
    try await policyEngine.createPrincipal("alice@example.com", kind: .user, context: context)
    try await policyEngine.createPrincipal("bob@example.com", kind: .user, context: context)
    let alice = try await policyEngine.createToken(for: "alice@example.com", context: context)
    let bob = try await policyEngine.createToken(for: "bob@example.com", context: context)

    let group = EventLoopGroup(threads: 2)
    var configuration = ServerConfiguration()
    configuration.shutdownGracePeriod = .milliseconds(200)
    let policyServer = RPCServer(
      services: [PolicyServer(engine: policyEngine)], configuration: configuration, group: group)
    let policyPort = try policyServer.start(listeningOn: Endpoint(host: "127.0.0.1", port: 0))
    let policyEndpoint = Endpoint(host: "127.0.0.1", port: policyPort)

    let catalogEngine = try await CatalogEngine.open(path: folder + "/catalog.db")
    let policyClient = PolicyClient(
      endpoint: policyEndpoint, serviceToken: tokens.services[0].secret, group: group)
    policyClient.startWatching()
    let catalog = try CatalogServer(engine: catalogEngine, policy: policyClient)
    let catalogServer = RPCServer(services: [catalog], configuration: configuration, group: group)
    let catalogPort = try catalogServer.start(listeningOn: Endpoint(host: "127.0.0.1", port: 0))
    return CatalogFixture(
      folder: folder, policyEngine: policyEngine, policyServer: policyServer,
      catalogEngine: catalogEngine, catalogServer: catalogServer, catalog: catalog,
      policyClient: policyClient, group: group,
      catalogEndpoint: Endpoint(host: "127.0.0.1", port: catalogPort),
      policyEndpoint: policyEndpoint, adminToken: tokens.admin.secret,
      serviceToken: tokens.services[0].secret, aliceToken: alice.secret, bobToken: bob.secret)
  }

  private init(
    folder: String, policyEngine: PolicyEngine, policyServer: RPCServer,
    catalogEngine: CatalogEngine, catalogServer: RPCServer, catalog: CatalogServer,
    policyClient: PolicyClient, group: EventLoopGroup, catalogEndpoint: Endpoint,
    policyEndpoint: Endpoint, adminToken: String, serviceToken: String, aliceToken: String,
    bobToken: String
  ) {
    self.folder = folder
    self.policyEngine = policyEngine
    self.policyServer = policyServer
    self.catalogEngine = catalogEngine
    self.catalogServer = catalogServer
    self.catalog = catalog
    self.policyClient = policyClient
    self.group = group
    self.catalogEndpoint = catalogEndpoint
    self.policyEndpoint = policyEndpoint
    self.adminToken = adminToken
    self.serviceToken = serviceToken
    self.aliceToken = aliceToken
    self.bobToken = bobToken
  }

  /// Calls a catalog method with `token`, optionally for an end user.
  func call<Request: ProtoMessage, Response: ProtoMessage>(
    _ method: String, _ request: Request, token: String, onBehalfOf principal: String? = nil,
    environment: String? = nil
  ) async throws(RPCError) -> Response {
    var metadata = Metadata()
    metadata.add("authorization", "Bearer \(token)")
    if let principal { metadata.add("x-edgecat-principal", principal) }
    if let environment { metadata.add("x-edgecat-environment", environment) }
    let client = RPCClient(endpoint: catalogEndpoint, group: group)
    defer { client.close() }
    return try await client.unary(
      "/edgecat.catalog.v1.CatalogService/\(method)", request, metadata: metadata,
      timeout: .seconds(20))
  }

  /// Calls a policy method with `token`.
  func policy<Request: ProtoMessage, Response: ProtoMessage>(
    _ method: String, _ request: Request, token: String
  ) async throws(RPCError) -> Response {
    var metadata = Metadata()
    metadata.add("authorization", "Bearer \(token)")
    let client = RPCClient(endpoint: policyEndpoint, group: group)
    defer { client.close() }
    return try await client.unary(
      "/edgecat.policy.v1.PolicyService/\(method)", request, metadata: metadata,
      timeout: .seconds(20))
  }

  /// Grants privileges as the admin.
  func grant(
    _ privileges: [String], on type: Edgecat_Policy_V1_SecurableType, _ name: String,
    to principal: String
  ) async throws(RPCError) {
    var request = Edgecat_Policy_V1_UpdatePrivilegesRequest()
    request.principal = principal
    request.privileges = privileges
    request.securableType = type
    request.securableFullName = name
    let _: Edgecat_Policy_V1_UpdatePrivilegesResponse = try await policy(
      "Grant", request, token: adminToken)
  }

  func stop() async {
    await catalogServer.shutdown()
    policyClient.close()
    await policyServer.shutdown()
    await catalogEngine.close()
    policyEngine.close()
    group.shutdown()
    _ = system("rm -rf '\(folder)'")
  }
}
