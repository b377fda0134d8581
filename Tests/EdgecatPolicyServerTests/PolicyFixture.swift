import EdgecatPolicy
import EdgecatPolicyServer
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit
import Glibc

/// A policy service on a loopback port over a fresh database, bootstrapped with an admin and
/// the `service:catalog` principal, and a user alice with USE_CATALOG on catalog `main`.
final class PolicyFixture: Sendable {
  let folder: String
  let engine: PolicyEngine
  let server: RPCServer
  let endpoint: Endpoint
  let group: EventLoopGroup
  let adminToken: String
  let serviceToken: String
  let aliceToken: String

  static func start(
    shutdownGracePeriod: Duration = .milliseconds(200),
    checkCacheEntries: Int = CheckResponseCache.defaultCapacity
  ) async throws -> PolicyFixture {
    var template = Array("/tmp/edgecat-policy-test-XXXXXX".utf8CString)
    guard mkdtemp(&template) != nil else { throw RPCError(.internal, "mkdtemp failed") }
    let folder = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    let engine = try await PolicyEngine.open(path: folder + "/policy.db")
    guard let tokens = try await engine.bootstrap(admin: "admin@example.com", services: ["catalog"])
    else { throw RPCError(.internal, "bootstrap did not run on a new database") }
    let group = EventLoopGroup(threads: 2)
    var configuration = ServerConfiguration()
    configuration.shutdownGracePeriod = shutdownGracePeriod
    let server = RPCServer(
      services: [PolicyServer(engine: engine, checkCacheEntries: checkCacheEntries)],
      configuration: configuration, group: group)
    let port = try server.start(listeningOn: Endpoint(host: "127.0.0.1", port: 0))
    let admin = RequestContext(principal: "admin@example.com", requestID: "fixture")
    try await engine.createPrincipal("alice@example.com", kind: .user, context: admin)
    try await engine.createPrincipal("bob@example.com", kind: .user, context: admin)
    let alice = try await engine.createToken(for: "alice@example.com", context: admin)
    _ = try await engine.registerSecurable(
      SecurableRegistration(type: .catalog, fullName: "main", owner: "admin@example.com"),
      context: RequestContext(principal: "service:catalog", requestID: "fixture"))
    _ = try await engine.grant(
      [.useCatalog], on: "main", type: .catalog, to: "alice@example.com", context: admin)
    return PolicyFixture(
      folder: folder, engine: engine, server: server,
      endpoint: Endpoint(host: "127.0.0.1", port: port), group: group,
      adminToken: tokens.admin.secret, serviceToken: tokens.services[0].secret,
      aliceToken: alice.secret)
  }

  private init(
    folder: String, engine: PolicyEngine, server: RPCServer, endpoint: Endpoint,
    group: EventLoopGroup, adminToken: String, serviceToken: String, aliceToken: String
  ) {
    self.folder = folder
    self.engine = engine
    self.server = server
    self.endpoint = endpoint
    self.group = group
    self.adminToken = adminToken
    self.serviceToken = serviceToken
    self.aliceToken = aliceToken
  }

  func client() -> RPCClient { RPCClient(endpoint: endpoint, group: group) }

  func metadata(token: String, onBehalfOf principal: String? = nil) -> Metadata {
    var metadata = Metadata()
    metadata.add("authorization", "Bearer \(token)")
    if let principal { metadata.add("x-edgecat-principal", principal) }
    return metadata
  }

  func stop() async {
    await server.shutdown()
    engine.close()
    group.shutdown()
    _ = system("rm -rf '\(folder)'")
  }
}

func checkRequest(_ principal: String, _ privilege: String, _ securable: String)
  -> Edgecat_Policy_V1_CheckRequest
{
  var request = Edgecat_Policy_V1_CheckRequest()
  request.principal = principal
  request.privilege = privilege
  request.securableFullName = securable
  return request
}

func updateRequest(_ principal: String, _ privileges: [String], _ securable: String)
  -> Edgecat_Policy_V1_UpdatePrivilegesRequest
{
  var request = Edgecat_Policy_V1_UpdatePrivilegesRequest()
  request.principal = principal
  request.privileges = privileges
  request.securableFullName = securable
  request.securableType = .catalog
  return request
}

/// Runs `body` and returns the RPCError it threw, or nil when it succeeded.
func rpcError(_ body: () async throws -> Void) async -> RPCError? {
  do {
    try await body()
    return nil
  } catch let error as RPCError {
    return error
  } catch {
    return RPCError(.unknown, "not an RPCError: \(error)")
  }
}
