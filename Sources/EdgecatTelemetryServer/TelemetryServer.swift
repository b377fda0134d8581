import EdgecatCore
import EdgecatCrypto
import EdgecatLog
import EdgecatRPC
import EdgecatServiceKit
import EdgecatTelemetry

/// `edgecat.telemetry.v1.TelemetryService` over the telemetry engines. Each call is
/// authenticated and authorized through the policy service, and reads of the inference log
/// apply the caller's row filter and column masks as the policy service resolves them. The device
/// inventory and model state come from the registry, and the hosted table lives in the
/// catalog.
public struct TelemetryServer: RPCService {
  public let serviceName = "edgecat.telemetry.v1.TelemetryService"
  let settings: TelemetrySettings
  let engine: TelemetryEngine
  let queries: QueryEngine
  let alerts: AlertEngine
  let evaluator: AlertEvaluator
  let authenticator: CallAuthenticator
  let table: HostedLogTable
  let devices: DeviceDirectory
  let lineage: LineageRecorder
  let logger = Logger(component: "telemetry")
  let auditor: CallAuditor

  /// Throws when the system's random source fails, which the audit event ids need.
  public init(
    settings: TelemetrySettings, engine: TelemetryEngine, queries: QueryEngine,
    alerts: AlertEngine, evaluator: AlertEvaluator, policy: PolicyClient, table: HostedLogTable,
    devices: DeviceDirectory, lineage: LineageRecorder
  ) throws {
    auditor = CallAuditor(
      buffer: engine.auditBuffer,
      eventIDs: AuditEventIDs(randomBytes: try SecureRandom.bytes(count: 8)),
      clock: engine.clock)
    self.settings = settings
    self.engine = engine
    self.queries = queries
    self.alerts = alerts
    self.evaluator = evaluator
    authenticator = CallAuthenticator(policy: policy)
    self.table = table
    self.devices = devices
    self.lineage = lineage
  }

  var policy: PolicyClient { authenticator.policy }

  public var methods: [RPCMethod] {
    livenessMethods + ingestMethods + queryMethods + metricsMethods + alertMethods
      + adminMethods
  }

  static func path(_ method: String) -> String {
    "/edgecat.telemetry.v1.TelemetryService/\(method)"
  }
}

/// Settings of the telemetry service that its flags set.
public struct TelemetrySettings: Sendable {
  /// A device without a heartbeat for this long is Offline.
  public var offlineAfterSeconds: Double = 3600
  /// Milliseconds the heartbeat response asks the agent to wait before the next heartbeat.
  public var heartbeatIntervalMilliseconds: UInt32 = 30_000
  /// Rows and run time a query may take at most.
  public var queryMaxRows: Int64 = 100_000
  public var queryTimeoutMilliseconds: Int64 = 10_000
  /// Maximum batches of one ingest stream read and not yet acknowledged. The server decodes
  /// and validates up to this many while earlier ones commit; the agent's default window is 8.
  public var ingestWindow = 8

  public init() {}
}

/// The caller of one request: who it is, the end user it acts for and where it comes from.
struct Caller: Sendable {
  let identity: CallIdentity
  let peer: String
  let deadline: Deadline?

  var principal: String { identity.principal }
  var requestID: String { identity.requestID }
}
