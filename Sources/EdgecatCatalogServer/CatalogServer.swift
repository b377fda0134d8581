import EdgecatCatalog
import EdgecatCore
import EdgecatCrypto
import EdgecatLog
import EdgecatRPC
import EdgecatServiceKit

/// `edgecat.catalog.v1.CatalogService` over the catalog engine. Each call is authenticated
/// and authorized through the policy service. Each create registers the securable there and
/// each drop removes it, and the catalog's side is undone when the policy service fails.
public struct CatalogServer: RPCService {
  public let serviceName = "edgecat.catalog.v1.CatalogService"
  let engine: CatalogEngine
  let authenticator: CallAuthenticator
  /// The environment of requests that name none in `x-edgecat-environment`.
  let environment: String?
  let logger = Logger(component: "catalog")
  let auditor: CallAuditor

  /// Throws when the system's random source fails, which the audit event ids need.
  public init(engine: CatalogEngine, policy: PolicyClient, environment: String? = nil) throws {
    auditor = CallAuditor(
      buffer: engine.auditBuffer,
      eventIDs: AuditEventIDs(randomBytes: try SecureRandom.bytes(count: 8)),
      clock: engine.clock)
    self.engine = engine
    authenticator = CallAuthenticator(policy: policy)
    self.environment = environment
  }

  var policy: PolicyClient { authenticator.policy }

  public var methods: [RPCMethod] {
    metastoreMethods + catalogMethods + schemaMethods + tableMethods + volumeMethods
      + functionMethods + hostedMethods + bindingMethods + tagMethods + lineageMethods
      + adminMethods
  }

  static func path(_ method: String) -> String { "/edgecat.catalog.v1.CatalogService/\(method)" }
}

/// The caller of one request: who it is, the end user it acts for and where it comes from.
struct Caller: Sendable {
  let identity: CallIdentity
  let peer: String
  /// The request's environment, from metadata or the service's default.
  let environment: String?
  let deadline: Deadline?

  var principal: String { identity.principal }
  var requestID: String { identity.requestID }
}
