import EdgecatCore
import EdgecatCrypto
import EdgecatLog
import EdgecatProto
import EdgecatStore

/// The alert engine of the telemetry service: alert rules as data, their evaluation against
/// the raw inference log and the heartbeats, the alert state machine (inactive, pending,
/// firing, resolved), and the stored, audited and streamed transitions. It validates rules and
/// leaves authorization to its caller. Thread-safe; evaluations run one at a time.
public final class AlertEngine: Sendable {
  let store: Store
  public let settings: AlertSettings
  let clock: @Sendable () -> Double
  let actions: any AlertActions
  let logger = Logger(component: "alerts")
  /// Ids of the transitions' audit events.
  let eventIDs: AuditEventIDs
  /// Serializes evaluations, so transitions are numbered, committed and pushed in order.
  let evaluations = AlertEvaluationGate()
  let watchers = AlertWatchHub()

  /// `store` is the telemetry database, opened with `TelemetrySchema.migrations`. `clock`
  /// returns seconds since the Unix epoch.
  public init(
    store: Store, settings: AlertSettings, clock: @escaping @Sendable () -> Double,
    actions: any AlertActions
  ) {
    self.store = store
    self.settings = settings
    self.clock = clock
    self.actions = actions
    eventIDs = AuditEventIDs(randomBytes: Self.eventIDEntropy(clock()))
  }

  /// Eight random bytes for the audit event id prefix. Should `RAND_bytes` fail, the clock's
  /// bits stand in, which keeps ids unique unless two engines start in the same nanosecond.
  private static func eventIDEntropy(_ now: Double) -> [UInt8] {
    do {
      return try SecureRandom.bytes(count: 8)
    } catch {
      Logger(component: "alerts").error(
        "random audit id prefix failed, using the clock", ["error": "\(error)"])
      return withUnsafeBytes(of: now.bitPattern) { Array($0) }
    }
  }

  /// Returns the audit event of one change the engine makes on its own, by the service
  /// principal.
  func serviceAudit(_ action: String, securable: String?, _ parameters: [(String, String)])
    -> AuditRecord
  {
    AuditRecord(
      id: eventIDs.next(), time: clock(), action: action, principal: settings.servicePrincipal,
      securable: securable, parameters: encodeJSONObject(parameters), result: "OK",
      requestID: "", peer: "")
  }

  /// Wraps a store failure as INTERNAL and logs it. A `ServiceError` passes through.
  func storageError(_ error: any Error, _ operation: String) -> ServiceError {
    if let error = error as? ServiceError { return error }
    logger.error("alert store operation failed", ["operation": operation, "error": "\(error)"])
    return .storage(error, operation: operation, database: "telemetry")
  }
}
