import EdgecatLog
import EdgecatPolicy
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit

typealias Proto = Edgecat_Policy_V1_SecurableType

/// `edgecat.policy.v1.PolicyService` over a `PolicyEngine`: it authenticates each call's token
/// against the engine, maps messages to engine calls and engine errors to gRPC statuses, and
/// makes writes wait for the Watch subscribers' acknowledgements.
public struct PolicyServer: RPCService {
  let engine: PolicyEngine
  let hub: WatchHub
  let logger = Logger(component: "policy")
  let bearerTokens = BearerTokenCache()
  let checkResponses: CheckResponseCache

  /// `checkCacheEntries` bounds the encoded Check responses kept for repeated requests; 0
  /// decides every Check anew.
  public init(
    engine: PolicyEngine, lease: Duration = .milliseconds(300),
    checkCacheEntries: Int = CheckResponseCache.defaultCapacity
  ) {
    self.engine = engine
    hub = WatchHub(lease: lease)
    checkResponses = CheckResponseCache(capacity: checkCacheEntries)
  }

  public var serviceName: String { "edgecat.policy.v1.PolicyService" }

  static func path(_ method: String) -> String { "/edgecat.policy.v1.PolicyService/\(method)" }

  public var methods: [RPCMethod] {
    identityMethods + principalListMethods + securableMethods + grantMethods + decisionMethods
      + logMethods + [watchMethod]
  }

  /// The caller of a call: the token's principal, or the end user in `x-edgecat-principal`
  /// when the token belongs to a member of edgecat-services.
  struct Caller {
    let authenticated: AuthenticatedPrincipal
    let context: RequestContext

    var isService: Bool { authenticated.isService }
    var isAdmin: Bool { authenticated.isAdmin }
  }

  func caller(_ context: ServerContext) throws(RPCError) -> Caller {
    // Two tokens leave the caller ambiguous, so they are rejected as the other services do.
    guard !Self.hasRepeatedAuthorization(context.metadata) else {
      throw RPCError(
        .unauthenticated,
        "the call has more than one authorization header; send exactly one bearer token")
    }
    guard let token = bearerTokens.token(context.metadata) else {
      throw RPCError(
        .unauthenticated,
        "the call has no bearer token; send metadata \"authorization: Bearer <token>\"")
    }
    let authenticated: AuthenticatedPrincipal
    do {
      authenticated = try engine.authenticate(token: token)
    } catch {
      throw error.rpcError
    }
    var principal = authenticated.principal
    let isService = authenticated.isService
    if let onBehalfOf = context.metadata[EdgecatMetadata.principal], !onBehalfOf.isEmpty {
      if isService {
        principal = onBehalfOf
      } else {
        logger.debug(
          "ignoring x-edgecat-principal from a caller outside edgecat-services",
          [
            "principal": authenticated.principal, "request.id": context.requestID,
          ])
      }
    }
    return Caller(
      authenticated: authenticated,
      context: RequestContext(
        principal: principal, requestID: context.requestID, peer: context.peer))
  }

  /// Runs an engine write, then waits until every Watch subscriber acknowledged its revision or
  /// its lease ran out, so no service still allows by the state it replaced.
  func write(_ body: () async throws -> WriteResult) async throws(RPCError) -> UInt64 {
    let result: WriteResult
    do {
      result = try await body()
    } catch let error as PolicyError {
      throw error.rpcError
    } catch let error as RPCError {
      throw error
    } catch {
      logger.error("policy write failed", ["error": "\(error)"])
      throw RPCError(.internal, "the policy write failed; see the policy service's log")
    }
    if result.changed { await hub.waitForAcknowledgements(of: result.revision) }
    return result.revision
  }
}

extension SecurableType {
  init?(_ type: Proto) {
    switch type {
    case .metastore: self = .metastore
    case .catalog: self = .catalog
    case .schema: self = .schema
    case .table: self = .table
    case .view: self = .view
    case .volume: self = .volume
    case .function: self = .function
    case .registeredModel: self = .registeredModel
    case .unspecified, .unrecognized: return nil
    }
  }

  var proto: Proto {
    switch self {
    case .metastore: .metastore
    case .catalog: .catalog
    case .schema: .schema
    case .table: .table
    case .view: .view
    case .volume: .volume
    case .function: .function
    case .registeredModel: .registeredModel
    }
  }
}

/// Returns the engine's type for a request's `securable_type`, or nil (any type) when it is
/// unspecified.
func securableType(_ type: Proto) throws(RPCError) -> SecurableType? {
  if case .unspecified = type { return nil }
  guard let converted = SecurableType(type) else {
    throw RPCError(
      .invalidArgument,
      "securable_type \(type.rawValue) is not a known type; use SECURABLE_TYPE_METASTORE,"
        + " SECURABLE_TYPE_CATALOG, SECURABLE_TYPE_SCHEMA, SECURABLE_TYPE_TABLE,"
        + " SECURABLE_TYPE_VIEW, SECURABLE_TYPE_VOLUME, SECURABLE_TYPE_FUNCTION or"
        + " SECURABLE_TYPE_REGISTERED_MODEL, or leave it unset where any type is accepted")
  }
  return converted
}

/// Parses privilege names such as "USE_CATALOG"; an unknown one is INVALID_ARGUMENT.
func privileges(_ names: [String]) throws(RPCError) -> [Privilege] {
  guard !names.isEmpty else {
    throw RPCError(.invalidArgument, "privileges is empty; name at least one, such as SELECT")
  }
  var result: [Privilege] = []
  for name in names {
    result.append(try mapped { () throws(PolicyError) in try Privilege.named(name) })
  }
  return result
}

extension PolicyServer {
  /// Returns whether `metadata` has more than one `authorization` entry, without allocating,
  /// because every call passes here.
  static func hasRepeatedAuthorization(_ metadata: Metadata) -> Bool {
    var seen = false
    for entry in metadata.entries where entry.key == "authorization" {
      if seen { return true }
      seen = true
    }
    return false
  }
}
