import EdgecatCore
import EdgecatLog
import EdgecatStore
import Synchronization

/// The telemetry service's storage: heartbeats, the raw inference log with its hourly and
/// daily rollups, and audit events in one SQLite database. It validates records and leaves
/// authorization, the catalog and the registry to its caller. Thread-safe.
public final class TelemetryEngine: Sendable {
  /// The database that the query and alert engines read too.
  public let store: Store
  /// Read audits, written in batches off the request path.
  public let auditBuffer: AuditBuffer
  public let settings: TelemetryEngineSettings
  public let clock: @Sendable () -> Double
  let logger = Logger(component: "telemetry")
  /// Writers stored since open, so that each is reported once for lineage.
  let knownWriters = Mutex<Set<InferenceWriter>>([])

  private init(
    store: Store, settings: TelemetryEngineSettings, clock: @escaping @Sendable () -> Double
  ) {
    self.store = store
    self.settings = settings
    self.clock = clock
    auditBuffer = AuditBuffer(store: store, logger: Logger(component: "telemetry"))
  }

  /// Opens or creates the telemetry database at `path` and starts the read audit buffer.
  public static func open(
    path: String, settings: TelemetryEngineSettings = .init(),
    clock: @escaping @Sendable () -> Double = { wallClockSeconds() }
  ) async throws -> TelemetryEngine {
    let store = try await Store.open(
      path: path, migrations: TelemetrySchema.migrations, options: settings.storeOptions)
    do {
      // A group commit of 64 batches of 1,000 records dirties about 20 MB of pages, which
      // SQLite's default 2 MB page cache would spill to the WAL before the commit.
      try await store.write { db in
        try db.execute("PRAGMA cache_size = -\(settings.writerCacheKibibytes)")
      }
    } catch {
      store.close()
      throw error
    }
    let engine = TelemetryEngine(store: store, settings: settings, clock: clock)
    engine.auditBuffer.start()
    engine.logger.info(
      "telemetry engine opened", ["path": path, "retention_days": settings.retentionDays])
    return engine
  }

  /// Writes the queued read audits and closes the database.
  public func close() async {
    await auditBuffer.close()
    store.close()
  }

  /// Lists audit events newest first. A bad filter is INVALID_ARGUMENT.
  public func listAuditEvents(_ filter: AuditEventFilter) async throws(ServiceError)
    -> AuditRecordPage
  {
    try await AuditTrail.list(filter, in: store, database: "telemetry")
  }

  /// Runs `body` in a write transaction with `audit`, so the mutation and its audit event
  /// commit together, for mutations that other engines on this database make. A `ServiceError`
  /// thrown by `body` rolls both back and passes through; a store failure is INTERNAL.
  public func write<T: Sendable>(
    audit: AuditRecord, operation: String, _ body: @escaping @Sendable (Database) throws -> T
  ) async throws(ServiceError) -> T {
    do {
      return try await store.write { db in
        let value = try body(db)
        try AuditTrail.insert(audit, into: db)
        return value
      }
    } catch {
      throw storageError(error, operation)
    }
  }

  /// Stores one audit event of a mutation by itself, durably, before returning.
  public func recordAudit(_ audit: AuditRecord) async throws(ServiceError) {
    try await write(audit: audit, operation: "recording an audit event") { _ in }
  }

  /// Wraps a store failure as INTERNAL and logs it. A `ServiceError` passes through.
  func storageError(_ error: any Error, _ operation: String) -> ServiceError {
    if let error = error as? ServiceError { return error }
    logger.error("telemetry store operation failed", ["operation": operation, "error": "\(error)"])
    return .storage(error, operation: operation, database: "telemetry")
  }
}
