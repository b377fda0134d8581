import EdgecatCore
import EdgecatPolicy
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit
import Testing

/// A service that authorizes each call through a caching `PolicyClient`, as the catalog does:
/// `Read` needs USE_CATALOG on catalog `main`.
struct GuardedService: RPCService {
  let authenticator: CallAuthenticator

  var serviceName: String { "test.Guarded" }

  var methods: [RPCMethod] {
    [
      RPCMethod(path: "/test.Guarded/Read", shape: .unary) { requests, writer, context in
        for try await _ in requests {}
        let identity = try await authenticator.identify(context)
        try await authenticator.authorize(identity, "USE_CATALOG", on: .catalog, "main")
        try await writer.write(Array(identity.principal.utf8))
      }
    ]
  }
}

@Suite("A caching service in front of the policy service")
struct GuardedServiceTests {
  /// Starts the guarded service on its own port; returns it with a client for it.
  func startGuarded(_ fixture: PolicyFixture) throws -> (RPCServer, RPCClient, PolicyClient) {
    let policy = PolicyClient(
      endpoint: fixture.endpoint, serviceToken: fixture.serviceToken,
      callTimeout: .milliseconds(500), group: fixture.group)
    policy.startWatching()
    var configuration = ServerConfiguration()
    configuration.shutdownGracePeriod = .milliseconds(200)
    let server = RPCServer(
      services: [GuardedService(authenticator: CallAuthenticator(policy: policy))],
      configuration: configuration, group: fixture.group)
    let port = try server.start(listeningOn: Endpoint(host: "127.0.0.1", port: 0))
    let client = RPCClient(endpoint: Endpoint(host: "127.0.0.1", port: port), group: fixture.group)
    return (server, client, policy)
  }

  @Test("revoke then request is denied", arguments: 0..<5)
  func revokeThenRequest(round: Int) async throws {
    let fixture = try await PolicyFixture.start()
    let (server, client, policy) = try startGuarded(fixture)
    try await waitUntil { policy.cacheIsValid }
    let alice = fixture.metadata(token: fixture.aliceToken)
    let allowed = try await client.unary(method: "/test.Guarded/Read", request: [], metadata: alice)
    #expect(String(decoding: allowed.message, as: UTF8.self) == "alice@example.com")

    let admin = fixture.client()
    let _: Edgecat_Policy_V1_UpdatePrivilegesResponse = try await admin.unary(
      "/edgecat.policy.v1.PolicyService/Revoke",
      updateRequest("alice@example.com", ["USE_CATALOG"], "main"),
      metadata: fixture.metadata(token: fixture.adminToken))
    let error = await rpcError {
      _ = try await client.unary(method: "/test.Guarded/Read", request: [], metadata: alice)
    }
    #expect(error?.code == .permissionDenied)
    #expect(error?.message.contains("alice@example.com") == true)
    #expect(error?.message.contains("USE_CATALOG") == true)

    admin.close()
    client.close()
    await server.shutdown()
    policy.close()
    await fixture.stop()
  }

  @Test("revoked token is rejected at once")
  func revokedToken() async throws {
    let fixture = try await PolicyFixture.start()
    let (server, client, policy) = try startGuarded(fixture)
    try await waitUntil { policy.cacheIsValid }
    let admin = RequestContext(principal: "admin@example.com", requestID: "test")
    let token = try await fixture.engine.createToken(for: "alice@example.com", context: admin)
    let metadata = fixture.metadata(token: token.secret)
    _ = try await client.unary(method: "/test.Guarded/Read", request: [], metadata: metadata)

    let adminClient = fixture.client()
    var revoke = Edgecat_Policy_V1_RevokeTokenRequest()
    revoke.tokenID = token.id
    let _: Edgecat_Policy_V1_RevokeTokenResponse = try await adminClient.unary(
      "/edgecat.policy.v1.PolicyService/RevokeToken", revoke,
      metadata: fixture.metadata(token: fixture.adminToken))
    let error = await rpcError {
      _ = try await client.unary(method: "/test.Guarded/Read", request: [], metadata: metadata)
    }
    #expect(error?.code == .unauthenticated)

    adminClient.close()
    client.close()
    await server.shutdown()
    policy.close()
    await fixture.stop()
  }

  @Test("expired cached token is rejected")
  func expiredToken() async throws {
    let fixture = try await PolicyFixture.start()
    let (server, client, policy) = try startGuarded(fixture)
    try await waitUntil { policy.cacheIsValid }
    let admin = RequestContext(principal: "admin@example.com", requestID: "test")
    let token = try await fixture.engine.createToken(
      for: "alice@example.com", expiresAt: wallClockSeconds() + 1, context: admin)
    let metadata = fixture.metadata(token: token.secret)
    // Caches the authentication, unless the token has expired already on a slow machine.
    _ = try? await client.unary(method: "/test.Guarded/Read", request: [], metadata: metadata)

    // The expiry changes no policy revision, so nothing drops the cached entry; the service
    // still has to refuse the token once it has expired.
    var code: StatusCode?
    for _ in 0..<500 where code != .unauthenticated {
      code = await rpcError {
        _ = try await client.unary(method: "/test.Guarded/Read", request: [], metadata: metadata)
      }?.code
      if code != .unauthenticated { try await Task.sleep(for: .milliseconds(10)) }
    }
    #expect(code == .unauthenticated)

    client.close()
    await server.shutdown()
    policy.close()
    await fixture.stop()
  }

  @Test("stopped policy service makes the service deny")
  func policyDown() async throws {
    let fixture = try await PolicyFixture.start()
    let (server, client, policy) = try startGuarded(fixture)
    try await waitUntil { policy.cacheIsValid }
    let alice = fixture.metadata(token: fixture.aliceToken)
    _ = try await client.unary(method: "/test.Guarded/Read", request: [], metadata: alice)
    await fixture.server.shutdown()
    // Cached results stay usable for the rest of the lease, by design, and none after it.
    try await waitUntil { !policy.cacheIsValid }
    let error = await rpcError {
      _ = try await client.unary(method: "/test.Guarded/Read", request: [], metadata: alice)
    }
    #expect(error?.code == .unavailable)

    client.close()
    await server.shutdown()
    policy.close()
    await fixture.stop()
  }

  @Test("missing token is UNAUTHENTICATED")
  func missingToken() async throws {
    let fixture = try await PolicyFixture.start()
    let (server, client, policy) = try startGuarded(fixture)
    let error = await rpcError {
      _ = try await client.unary(method: "/test.Guarded/Read", request: [])
    }
    #expect(error?.code == .unauthenticated)
    client.close()
    await server.shutdown()
    policy.close()
    await fixture.stop()
  }

  @Test("watch from an unknown revision is OUT_OF_RANGE")
  func watchOutOfRange() async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    let watch: TypedCall<Edgecat_Policy_V1_WatchRequest, Edgecat_Policy_V1_WatchResponse> =
      client.makeCall(
        "/edgecat.policy.v1.PolicyService/Watch",
        metadata: fixture.metadata(token: fixture.serviceToken))
    var start = Edgecat_Policy_V1_WatchRequest()
    start.request = .startRevision(fixture.engine.revision + 1_000)
    // The server may end the call before the send returns, which then throws the same status.
    try? await watch.send(start)
    #expect(await watch.status.code == .outOfRange)
    client.close()
    await fixture.stop()
  }
}
