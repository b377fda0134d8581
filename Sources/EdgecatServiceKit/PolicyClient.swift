import EdgecatCore
import EdgecatCrypto
import EdgecatLog
import EdgecatProto
import EdgecatRPC
import Synchronization

public typealias CheckResponse = Edgecat_Policy_V1_CheckResponse
public typealias AuthenticateResponse = Edgecat_Policy_V1_AuthenticateResponse
public typealias SecurableKind = Edgecat_Policy_V1_SecurableType

/// The client every service uses to authenticate callers and check privileges with
/// edgecat-policy. Results are cached only under the lease of a `Watch` stream: an entry is used
/// while the stream delivered a message within `leaseDuration`, every change drops the cache
/// before it is acknowledged, and a result older than the last revision delivered is not
/// cached. When the policy service cannot be reached in time, calls fail with UNAVAILABLE, so
/// callers deny. Thread-safe.
public final class PolicyClient: Sendable {
  public let endpoint: Endpoint
  let rpcClient: RPCClient
  /// This service's own bearer token.
  let token: String
  let leaseDuration: Duration
  private let callTimeout: Duration
  /// The bound on policy writes such as RegisterSecurable. A write returns only after every
  /// Watch subscriber acknowledged it or its lease ran out (the lease plus a margin of 1 s),
  /// then commits with an fsync, so it takes longer than a check.
  public let writeTimeout: Duration
  let cache = Mutex(PolicyCache())
  private let watchTask = Mutex<Task<Void, Never>?>(nil)
  /// The open Watch call; a change it received but this client has not applied yet makes the
  /// cache unusable until it is applied.
  private let watchCall = Mutex<ClientCall?>(nil)
  /// The streams `changes()` returned.
  let subscribers = PolicySubscribers()
  private let logger = Logger(component: "policy-client")
  private let outage = OutageLog()
  private let watchOutage = OutageLog()

  /// `serviceToken` is the calling service's own token, sent on every call to the policy
  /// service. `callTimeout` bounds each call when the request has no earlier deadline.
  public init(
    endpoint: Endpoint, serviceToken: String, leaseDuration: Duration = .milliseconds(300),
    callTimeout: Duration = .seconds(2), writeTimeout: Duration = .seconds(10),
    group: EventLoopGroup = .shared
  ) {
    self.endpoint = endpoint
    token = serviceToken
    self.leaseDuration = leaseDuration
    self.callTimeout = callTimeout
    self.writeTimeout = writeTimeout
    rpcClient = RPCClient(endpoint: endpoint, group: group)
  }

  /// Starts following the policy service's Watch stream, which enables the cache.
  public func startWatching() {
    watchTask.withLock { task in
      guard task == nil else { return }
      task = Task { await self.followChanges() }
    }
  }

  public func close() {
    watchTask.withLock { $0?.cancel() }
    subscribers.finishAll()
    rpcClient.close()
  }

  func setWatchCall(_ call: ClientCall?) {
    watchCall.withLock { $0 = call }
  }

  /// True when the Watch stream has delivered messages that are not applied yet.
  var watchHasUnappliedMessages: Bool {
    watchCall.withLock { $0?.hasUnreadResponses ?? false }
  }

  func heard(revision: UInt64) {
    cache.withLock { $0.heard(revision: revision, now: .now) }
  }

  func markDisconnected() {
    cache.withLock { $0.disconnected() }
  }

  /// Logs a failed watch, the first of an outage and then one per interval with a count.
  func logFollowFailure(_ error: any Error) {
    guard let notLogged = watchOutage.failed() else { return }
    logger.warning(
      "policy watch stream failed, cache disabled until it reconnects",
      [
        "policy.endpoint": endpoint, "error": "\(error)", "failures_not_logged": notLogged,
      ])
  }

  /// Logs that the watch is connected again after failures.
  func logFollowConnected() {
    guard let failures = watchOutage.succeeded() else { return }
    logger.info(
      "policy watch stream connected again", ["policy.endpoint": endpoint, "failures": failures])
  }

  /// True while cached results may be used.
  public var cacheIsValid: Bool {
    let now = ContinuousClock.now
    if watchHasUnappliedMessages { return false }
    return cache.withLock { $0.isValid(now: now, lease: leaseDuration) }
  }

  /// Resolves a caller's bearer token. Unknown, expired and revoked tokens are UNAUTHENTICATED.
  public func authenticate(token: String, requestID: String, deadline: Deadline? = nil)
    async throws(RPCError) -> AuthenticateResponse
  {
    let key = SHA256.hexDigest(SHA256.hash(token))
    let now = ContinuousClock.now
    if !watchHasUnappliedMessages,
      let cached = cache.withLock({
        $0.authentication(
          key, now: now, lease: leaseDuration,
          wallClockMs: Int64((wallClockSeconds() * 1000).rounded(.down)))
      })
    {
      return cached
    }
    var request = Edgecat_Policy_V1_AuthenticateRequest()
    request.token = token
    let response: AuthenticateResponse = try await call(
      "Authenticate", request, requestID: requestID, deadline: deadline)
    cache.withLock { $0.store(authentication: response, for: key, now: .now, lease: leaseDuration) }
    return response
  }

  /// Checks whether `principal` has `privilege` on a securable.
  public func check(
    principal: String, privilege: String, type: SecurableKind, securable: String,
    requestID: String, deadline: Deadline? = nil
  ) async throws(RPCError) -> CheckResponse {
    let key = DecisionKey(
      principal: principal, privilege: privilege, type: type.rawValue, securable: securable)
    let now = ContinuousClock.now
    if !watchHasUnappliedMessages,
      let cached = cache.withLock({ $0.decision(key, now: now, lease: leaseDuration) })
    {
      return cached
    }
    var request = Edgecat_Policy_V1_CheckRequest()
    request.principal = principal
    request.privilege = privilege
    request.securableType = type
    request.securableFullName = securable
    let response: CheckResponse = try await call(
      "Check", request, requestID: requestID, deadline: deadline)
    cache.withLock { $0.store(decision: response, for: key, now: .now, lease: leaseDuration) }
    return response
  }

  /// Calls one unary method of the policy service with this service's token. Connection
  /// failures and timeouts become UNAVAILABLE, so that callers deny.
  /// `timeout` replaces `callTimeout` for this call, such as `writeTimeout` for writes.
  public func call<Request: ProtoMessage, Response: ProtoMessage>(
    _ method: String, _ request: Request, requestID: String, deadline: Deadline? = nil,
    onBehalfOf principal: String? = nil, timeout limit: Duration? = nil
  ) async throws(RPCError) -> Response {
    var metadata = Metadata()
    metadata.add("authorization", "Bearer \(token)")
    metadata.add("x-request-id", requestID)
    if let principal { metadata.add("x-edgecat-principal", principal) }
    let bound = limit ?? callTimeout
    let timeout = min(deadline?.remaining ?? bound, bound)
    let response: Response
    do {
      response = try await rpcClient.unary(
        "/edgecat.policy.v1.PolicyService/\(method)", request, metadata: metadata,
        timeout: timeout)
    } catch {
      switch error.code {
      case .unavailable, .deadlineExceeded, .cancelled:
        // The first failure of an outage is logged, then one line per interval with a count.
        if let notLogged = outage.failed() {
          logger.warning(
            "policy service unavailable, denying",
            [
              "policy.endpoint": endpoint, "rpc.method": method, "request.id": requestID,
              "error": error.message, "failures_not_logged": notLogged,
            ])
        }
        // The address stays in the log: callers of this service need not learn it.
        let what =
          error.code == .unavailable ? "cannot be reached" : "did not answer in time"
        throw RPCError(
          .unavailable,
          "the policy service \(what), so the request is denied; retry once it is reachable")
      default:
        throw error
      }
    }
    if let failures = outage.succeeded() {
      logger.info(
        "policy service reachable again", ["policy.endpoint": endpoint, "failed_calls": failures])
    }
    return response
  }
}
