import EdgecatCore
import EdgecatCrypto
import EdgecatLog
import EdgecatProto
import EdgecatStore
import Synchronization

/// The catalog's storage: the namespace of catalogs, schemas and objects, tags, lineage edges
/// and audit events in one SQLite database. It validates what a row must satisfy (parents,
/// unique names) and leaves authorization and the policy service to its caller. Thread-safe.
public final class CatalogEngine: Sendable {
  let store: Store
  let logger = Logger(component: "catalog")
  /// Read audits, written in batches off the request path.
  public let auditBuffer: AuditBuffer
  public let metastore: MetastoreInfo
  /// The environments each catalog is bound to, by catalog name; kept in memory because
  /// every request checks them. Catalogs bound to none are absent.
  private let environments: Mutex<[String: [String]]>
  public let clock: @Sendable () -> Double
  let cache = ObjectCache()

  private init(
    store: Store, metastore: MetastoreInfo, environments: [String: [String]],
    clock: @escaping @Sendable () -> Double
  ) {
    self.store = store
    self.metastore = metastore
    self.environments = Mutex(environments)
    self.clock = clock
    auditBuffer = AuditBuffer(store: store, logger: Logger(component: "catalog"))
  }

  /// Opens or creates the catalog database at `path`. A new database gets a metastore with a
  /// random id named `metastoreName`.
  public static func open(
    path: String, metastoreName: String = "edgecat",
    clock: @escaping @Sendable () -> Double = { wallClockSeconds() }
  ) async throws -> CatalogEngine {
    let store = try await Store.open(path: path, migrations: CatalogSchema.migrations)
    let id = "ms-" + Hex.encode(try SecureRandom.bytes(count: 8))
    let now = clock()
    let (metastore, bindings) = try await store.write { db in
      try db.execute(
        "INSERT OR IGNORE INTO metastore (key, value) VALUES ('id', ?), ('name', ?),"
          + " ('created_at', ?)", .text(id), .text(metastoreName), .text(String(now)))
      var values: [String: String] = [:]
      for row in try db.query("SELECT key, value FROM metastore") {
        values[row[0].string ?? ""] = row[1].string ?? ""
      }
      let metastore = MetastoreInfo(
        id: values["id"] ?? id, name: values["name"] ?? metastoreName,
        createdAt: Double(values["created_at"] ?? "") ?? now)
      var bindings: [String: [String]] = [:]
      for row in try db.query("SELECT full_name, details FROM objects WHERE kind = 'catalog'") {
        let info = try? Edgecat_Catalog_V1_CatalogInfo(serializedBytes: row[1].bytes ?? [])
        if let environments = info?.environments, !environments.isEmpty {
          bindings[row[0].string ?? ""] = environments
        }
      }
      return (metastore, bindings)
    }
    let engine = CatalogEngine(
      store: store, metastore: metastore, environments: bindings, clock: clock)
    engine.auditBuffer.start()
    return engine
  }

  public func close() async {
    await auditBuffer.close()
    store.close()
  }

  /// Returns the environments a catalog is bound to, empty when every environment sees it.
  public func environments(ofCatalog name: String) -> [String] {
    environments.withLock { $0[name] ?? [] }
  }

  func setEnvironments(_ values: [String], ofCatalog name: String) {
    environments.withLock { $0[name] = values.isEmpty ? nil : values }
  }

  /// Wraps a store failure as INTERNAL, logging it.
  func storageError(_ error: any Error, _ operation: String) -> ServiceError {
    if let error = error as? ServiceError { return error }
    logger.error("catalog store operation failed", ["operation": operation, "error": "\(error)"])
    return .storage(error, operation: operation, database: "catalog")
  }
}

/// The metastore this catalog serves.
public struct MetastoreInfo: Sendable {
  public let id: String
  public let name: String
  /// Seconds since the Unix epoch.
  public let createdAt: Double
}
