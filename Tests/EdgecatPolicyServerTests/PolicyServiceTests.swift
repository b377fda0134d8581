import EdgecatPolicy
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit
import Synchronization
import Testing

@Suite("Policy service over loopback")
struct PolicyServiceTests {
  @Test("check needs a token")
  func checkNeedsToken() async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    let error = await rpcError {
      let _: CheckResponse = try await client.unary(
        "/edgecat.policy.v1.PolicyService/Check",
        checkRequest("alice@example.com", "USE_CATALOG", "main"))
    }
    #expect(error?.code == .unauthenticated)
    client.close()
    await fixture.stop()
  }

  @Test("two authorization headers rejected", arguments: [true, false])
  func twoAuthorizationHeaders(adminFirst: Bool) async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    let tokens = adminFirst ? [fixture.adminToken, "bogus"] : ["bogus", fixture.adminToken]
    var metadata = Metadata()
    for token in tokens { metadata.add("authorization", "Bearer \(token)") }
    let error = await rpcError {
      let _: CheckResponse = try await client.unary(
        "/edgecat.policy.v1.PolicyService/Check",
        checkRequest("alice@example.com", "USE_CATALOG", "main"), metadata: metadata)
    }
    #expect(error?.code == .unauthenticated)
    #expect(error?.message.contains("more than one authorization header") == true)
    client.close()
    await fixture.stop()
  }

  @Test("check reports the grant and the missing privileges")
  func checkReasons() async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    let metadata = fixture.metadata(token: fixture.adminToken)
    let allowed: CheckResponse = try await client.unary(
      "/edgecat.policy.v1.PolicyService/Check",
      checkRequest("alice@example.com", "USE_CATALOG", "main"), metadata: metadata)
    #expect(allowed.allowed)
    #expect(allowed.reason.contains("granted to alice@example.com"))
    let denied: CheckResponse = try await client.unary(
      "/edgecat.policy.v1.PolicyService/Check",
      checkRequest("bob@example.com", "USE_CATALOG", "main"), metadata: metadata)
    #expect(!denied.allowed)
    #expect(denied.missingPrivileges == ["USE_CATALOG"])
    client.close()
    await fixture.stop()
  }

  @Test("token lifetime beyond 10 years is INVALID_ARGUMENT")
  func tokenLifetime() async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    var request = Edgecat_Policy_V1_CreateTokenRequest()
    request.principal = "alice@example.com"
    request.ttlSeconds = Int64.max
    let error = await rpcError {
      let _: Edgecat_Policy_V1_CreateTokenResponse = try await client.unary(
        "/edgecat.policy.v1.PolicyService/CreateToken", request,
        metadata: fixture.metadata(token: fixture.aliceToken))
    }
    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains("ttl_seconds") == true)
    client.close()
    await fixture.stop()
  }

  @Test("token listing of an unknown principal is NOT_FOUND")
  func tokensOfUnknownPrincipal() async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    var request = Edgecat_Policy_V1_ListTokensRequest()
    request.principal = "nobody@example.com"
    let error = await rpcError {
      let _: Edgecat_Policy_V1_ListTokensResponse = try await client.unary(
        "/edgecat.policy.v1.PolicyService/ListTokens", request,
        metadata: fixture.metadata(token: fixture.adminToken))
    }
    #expect(error?.code == .notFound)
    #expect(error?.message.contains("'nobody@example.com' does not exist") == true)

    request.principal = "alice@example.com"
    let listed: Edgecat_Policy_V1_ListTokensResponse = try await client.unary(
      "/edgecat.policy.v1.PolicyService/ListTokens", request,
      metadata: fixture.metadata(token: fixture.adminToken))
    #expect(listed.tokens.map(\.principal) == ["alice@example.com"])
    client.close()
    await fixture.stop()
  }

  @Test("revoking an empty token id is INVALID_ARGUMENT")
  func revokeEmptyTokenID() async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    let error = await rpcError {
      let _: Edgecat_Policy_V1_RevokeTokenResponse = try await client.unary(
        "/edgecat.policy.v1.PolicyService/RevokeToken", Edgecat_Policy_V1_RevokeTokenRequest(),
        metadata: fixture.metadata(token: fixture.adminToken))
    }
    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains("token_id is empty") == true)
    client.close()
    await fixture.stop()
  }

  @Test("unknown securable type names the types")
  func unknownSecurableType() async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    var request = checkRequest("alice@example.com", "USE_CATALOG", "main")
    request.securableType = .unrecognized(99)
    let error = await rpcError {
      let _: Edgecat_Policy_V1_CheckResponse = try await client.unary(
        "/edgecat.policy.v1.PolicyService/Check", request,
        metadata: fixture.metadata(token: fixture.adminToken))
    }
    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains("securable_type 99") == true)
    #expect(error?.message.contains("SECURABLE_TYPE_CATALOG") == true)
    client.close()
    await fixture.stop()
  }

  @Test("authenticate of an empty token")
  func authenticateEmptyToken() async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    let error = await rpcError {
      let _: Edgecat_Policy_V1_AuthenticateResponse = try await client.unary(
        "/edgecat.policy.v1.PolicyService/Authenticate", Edgecat_Policy_V1_AuthenticateRequest(),
        metadata: fixture.metadata(token: fixture.adminToken))
    }
    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains("token is empty") == true)
    client.close()
    await fixture.stop()
  }

  @Test("drop securable is for services and admins")
  func dropNeedsService() async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    var request = Edgecat_Policy_V1_DropSecurableRequest()
    request.type = .catalog
    request.fullName = "main"
    request.cascade = true
    let error = await rpcError {
      let _: Edgecat_Policy_V1_DropSecurableResponse = try await client.unary(
        "/edgecat.policy.v1.PolicyService/DropSecurable", request,
        metadata: fixture.metadata(token: fixture.aliceToken))
    }
    #expect(error?.code == .permissionDenied)
    let dropped: Edgecat_Policy_V1_DropSecurableResponse = try await client.unary(
      "/edgecat.policy.v1.PolicyService/DropSecurable", request,
      metadata: fixture.metadata(token: fixture.serviceToken, onBehalfOf: "admin@example.com"))
    #expect(dropped.dropped == ["main"])
    client.close()
    await fixture.stop()
  }

  @Test("x-edgecat-principal from a user is ignored")
  func principalHeaderFromUser() async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    let forged = fixture.metadata(token: fixture.aliceToken, onBehalfOf: "admin@example.com")
    let error = await rpcError {
      let _: CheckResponse = try await client.unary(
        "/edgecat.policy.v1.PolicyService/Check",
        checkRequest("bob@example.com", "USE_CATALOG", "main"), metadata: forged)
    }
    #expect(error?.code == .permissionDenied)
    #expect(error?.message.contains("alice@example.com") == true)
    client.close()
    await fixture.stop()
  }

  @Test("grants listed only to viewers")
  func listGrantsVisibility() async throws {
    let fixture = try await PolicyFixture.start()
    let client = fixture.client()
    let bob = try await fixture.engine.createToken(
      for: "bob@example.com",
      context: RequestContext(principal: "admin@example.com", requestID: "test"))
    var request = Edgecat_Policy_V1_ListGrantsRequest()
    request.securableFullName = "main"
    request.securableType = .catalog
    func list(_ metadata: Metadata) async throws -> [String] {
      let response: Edgecat_Policy_V1_ListGrantsResponse = try await client.unary(
        "/edgecat.policy.v1.PolicyService/ListGrants", request, metadata: metadata)
      return response.grants.map { "\($0.principal) \($0.privileges.joined(separator: ","))" }
    }

    let grants = ["alice@example.com USE_CATALOG"]
    #expect(try await list(fixture.metadata(token: fixture.aliceToken)) == grants)
    #expect(try await list(fixture.metadata(token: fixture.serviceToken)) == grants)
    #expect(
      try await list(
        fixture.metadata(token: fixture.serviceToken, onBehalfOf: "alice@example.com"))
        == grants)
    for metadata in [
      fixture.metadata(token: bob.secret),
      fixture.metadata(token: fixture.serviceToken, onBehalfOf: "bob@example.com"),
    ] {
      let error = await rpcError { _ = try await list(metadata) }
      #expect(error?.code == .permissionDenied)
      #expect(
        error?.message.hasPrefix("bob@example.com may not list the grants on catalog main: ")
          == true)
    }
    client.close()
    await fixture.stop()
  }

  @Test("x-edgecat-principal from a service is honoured")
  func principalHeaderFromService() async throws {
    let fixture = try await PolicyFixture.start()
    let policy = PolicyClient(
      endpoint: fixture.endpoint, serviceToken: fixture.serviceToken, group: fixture.group)
    let authenticator = CallAuthenticator(policy: policy)
    let viaService = try await identify(
      authenticator, token: fixture.serviceToken, onBehalfOf: "alice@example.com")
    #expect(viaService.principal == "alice@example.com")
    #expect(viaService.caller == "service:catalog")
    let viaUser = try await identify(
      authenticator, token: fixture.aliceToken, onBehalfOf: "admin@example.com")
    #expect(viaUser.principal == "alice@example.com")
    policy.close()
    await fixture.stop()
  }

  @Test("revoke returns only once cached grants are gone", arguments: 0..<10)
  func revokeThenCheck(round: Int) async throws {
    let fixture = try await PolicyFixture.start()
    let policy = PolicyClient(
      endpoint: fixture.endpoint, serviceToken: fixture.serviceToken, group: fixture.group)
    policy.startWatching()
    try await waitUntil { policy.cacheIsValid }
    let first = try await policy.check(
      principal: "alice@example.com", privilege: "USE_CATALOG", type: .catalog,
      securable: "main", requestID: "warm")
    #expect(first.allowed)

    // Checks race with the revoke; any check that starts after it returned must be denied.
    let hammer = Task {
      for _ in 0..<200 {
        _ = try? await policy.check(
          principal: "alice@example.com", privilege: "USE_CATALOG", type: .catalog,
          securable: "main", requestID: "race")
      }
    }
    let admin = fixture.client()
    let _: Edgecat_Policy_V1_UpdatePrivilegesResponse = try await admin.unary(
      "/edgecat.policy.v1.PolicyService/Revoke",
      updateRequest("alice@example.com", ["USE_CATALOG"], "main"),
      metadata: fixture.metadata(token: fixture.adminToken))
    let after = try await policy.check(
      principal: "alice@example.com", privilege: "USE_CATALOG", type: .catalog,
      securable: "main", requestID: "after")
    #expect(!after.allowed)
    await hammer.value
    admin.close()
    policy.close()
    await fixture.stop()
  }

  @Test("write completes when a subscriber stops acknowledging")
  func silentSubscriber() async throws {
    let fixture = try await PolicyFixture.start()
    let watcher = fixture.client()
    let watch: TypedCall<Edgecat_Policy_V1_WatchRequest, Edgecat_Policy_V1_WatchResponse> =
      watcher.makeCall(
        "/edgecat.policy.v1.PolicyService/Watch",
        metadata: fixture.metadata(token: fixture.serviceToken))
    var start = Edgecat_Policy_V1_WatchRequest()
    start.request = .startRevision(0)
    try await watch.send(start)
    var events = watch.responses.makeAsyncIterator()
    _ = try await events.next()

    let admin = fixture.client()
    let response: Edgecat_Policy_V1_UpdatePrivilegesResponse = try await admin.unary(
      "/edgecat.policy.v1.PolicyService/Grant",
      updateRequest("bob@example.com", ["USE_CATALOG"], "main"),
      metadata: fixture.metadata(token: fixture.adminToken), timeout: .seconds(10))
    #expect(response.revision > 0)

    var sawChange = false
    while let event = try await events.next() {
      if case .change(let change)? = event.event, change.revision == response.revision {
        sawChange = true
        break
      }
    }
    #expect(sawChange)
    watch.cancel()
    watcher.close()
    admin.close()
    await fixture.stop()
  }

  @Test("shutdown ends open watch streams instead of waiting for them")
  func shutdownEndsWatch() async throws {
    let fixture = try await PolicyFixture.start(shutdownGracePeriod: .seconds(60))
    let policy = PolicyClient(
      endpoint: fixture.endpoint, serviceToken: fixture.serviceToken, group: fixture.group)
    policy.startWatching()
    try await waitUntil { policy.cacheIsValid }
    let finished = AtomicFlag()
    let shutdown = Task {
      await fixture.server.shutdown()
      finished.set()
    }
    try await waitUntil { finished.isSet }
    #expect(finished.isSet)
    #expect(fixture.server.connectionCount == 0)
    await shutdown.value
    policy.close()
    await fixture.stop()
  }

  @Test("policy service down means UNAVAILABLE")
  func failClosed() async throws {
    let fixture = try await PolicyFixture.start()
    let policy = PolicyClient(
      endpoint: fixture.endpoint, serviceToken: fixture.serviceToken,
      callTimeout: .milliseconds(500), group: fixture.group)
    policy.startWatching()
    try await waitUntil { policy.cacheIsValid }
    _ = try await policy.check(
      principal: "alice@example.com", privilege: "USE_CATALOG", type: .catalog,
      securable: "main", requestID: "warm")
    await fixture.server.shutdown()
    try await waitUntil { !policy.cacheIsValid }
    let error = await rpcError {
      _ = try await policy.check(
        principal: "alice@example.com", privilege: "USE_CATALOG", type: .catalog,
        securable: "main", requestID: "down")
    }
    #expect(error?.code == .unavailable)
    #expect(error?.message.contains("denied") == true)
    policy.close()
    await fixture.stop()
  }
}

private func identify(
  _ authenticator: CallAuthenticator, token: String, onBehalfOf principal: String
) async throws -> CallIdentity {
  var metadata = Metadata()
  metadata.add("authorization", "Bearer \(token)")
  metadata.add("x-edgecat-principal", principal)
  return try await authenticator.identify(metadata: metadata, requestID: "identify")
}

/// Polls `condition` every 10 ms for up to 5 s.
func waitUntil(_ condition: () -> Bool) async throws {
  for _ in 0..<500 {
    if condition() { return }
    try await Task.sleep(for: .milliseconds(10))
  }
  Issue.record("condition not met within 5 s")
}

/// A flag a task sets and the test polls.
final class AtomicFlag: Sendable {
  private let value = Mutex(false)

  var isSet: Bool { value.withLock { $0 } }

  func set() { value.withLock { $0 = true } }
}
