import EdgecatCore
import EdgecatCrypto
import EdgecatLog
import EdgecatRPC
import EdgecatRegistry
import EdgecatServiceKit

/// `edgecat.registry.v1.ModelRegistryService` over the registry engine. Each call is
/// authenticated and authorized through the policy service. Registered models themselves
/// live in the catalog, which this server calls for the end user. Devices and deployments
/// are kept here, and `RolloutScheduler` advances the staged rollouts.
public struct RegistryServer: RPCService {
  public let serviceName = "edgecat.registry.v1.ModelRegistryService"
  let engine: RegistryEngine
  let authenticator: CallAuthenticator
  let catalog: CatalogClient
  /// The environment of requests that name none in `x-edgecat-environment`.
  let environment: String?
  /// The strategy values of deployments that leave them unset.
  let rolloutDefaults: RolloutDefaults
  let logger = Logger(component: "registry")
  let auditor: CallAuditor

  /// Throws when the system's random source fails, which the audit event ids need.
  public init(
    engine: RegistryEngine, policy: PolicyClient, catalog: CatalogClient,
    environment: String? = nil, rolloutDefaults: RolloutDefaults = RolloutDefaults()
  ) throws {
    auditor = CallAuditor(
      buffer: engine.auditBuffer,
      eventIDs: AuditEventIDs(randomBytes: try SecureRandom.bytes(count: 8)),
      clock: engine.clock)
    self.engine = engine
    authenticator = CallAuthenticator(policy: policy)
    self.catalog = catalog
    self.environment = environment
    self.rolloutDefaults = rolloutDefaults
  }

  var policy: PolicyClient { authenticator.policy }

  public var methods: [RPCMethod] {
    modelMethods + versionMethods + artifactMethods + aliasMethods + deviceMethods
      + deploymentMethods + desiredStateMethods + adminMethods
  }

  static func path(_ method: String) -> String {
    "/edgecat.registry.v1.ModelRegistryService/\(method)"
  }
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
  /// The context the lineage calls of this request's deployment steps carry.
  var lineage: LineageCaller {
    LineageCaller(principal: principal, requestID: requestID, environment: environment)
  }
}
