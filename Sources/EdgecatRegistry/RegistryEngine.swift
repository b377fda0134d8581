import EdgecatCore
import EdgecatLog
import EdgecatStore
import Synchronization

/// The registry's storage: model versions, aliases and audit events in one SQLite database,
/// and artifacts as files in a blob folder beside it, stored once per SHA-256. It validates
/// what a row must satisfy (numbering, statuses, alias names, artifact hashes and sizes) and
/// leaves authorization and the catalog to its caller. Thread-safe.
public final class RegistryEngine: Sendable {
  /// The default maximum artifact size: 2 GiB.
  public static let defaultMaximumArtifactBytes: Int64 = 2 << 30

  let store: Store
  let blobs: BlobFolder
  /// Threads for artifact file reads, writes and fsyncs.
  let files: FileThreads
  let logger = Logger(component: "registry")
  /// Read audits, written in batches off the request path.
  public let auditBuffer: AuditBuffer
  /// Uploads larger than this many bytes are RESOURCE_EXHAUSTED.
  public let maximumArtifactBytes: Int64
  public let clock: @Sendable () -> Double
  /// The open desired-state watches, woken after each commit that changes a desired state.
  public let desiredStates = DesiredStateNotifier()
  /// Notified after each commit that queued lineage edges in the outbox.
  public let lineageQueued = Wakeup()
  /// Versions with an upload in progress, so that two uploads of one version cannot race.
  let uploading = Mutex<Set<VersionKey>>([])

  private init(
    store: Store, blobs: BlobFolder, files: FileThreads, maximumArtifactBytes: Int64,
    clock: @escaping @Sendable () -> Double
  ) {
    self.store = store
    self.blobs = blobs
    self.files = files
    self.maximumArtifactBytes = maximumArtifactBytes
    self.clock = clock
    auditBuffer = AuditBuffer(store: store, logger: Logger(component: "registry"))
  }

  /// Opens or creates the registry database at `path` and the blob folder at `blobPath`.
  /// Removes what interrupted uploads and deletes left in the folder: temporary files, and
  /// blob files that no artifact row names.
  public static func open(
    path: String, blobPath: String, maximumArtifactBytes: Int64 = defaultMaximumArtifactBytes,
    clock: @escaping @Sendable () -> Double = { wallClockSeconds() }
  ) async throws -> RegistryEngine {
    let store = try await Store.open(path: path, migrations: RegistrySchema.migrations)
    let files = FileThreads(count: 2)
    let blobs = BlobFolder(path: blobPath)
    do {
      let stored = try await store.read { db in
        Set(try db.query("SELECT sha256 FROM artifacts").compactMap { $0[0].string })
      }
      let removed = try await files.run { () throws(FileError) in
        try blobs.create()
        return try blobs.sweep(keeping: stored)
      }
      if removed > 0 {
        Logger(component: "registry").info(
          "removed leftover artifact files", ["files": removed, "path": blobPath])
      }
    } catch {
      files.stop()
      store.close()
      throw error
    }
    let engine = RegistryEngine(
      store: store, blobs: blobs, files: files, maximumArtifactBytes: maximumArtifactBytes,
      clock: clock)
    engine.auditBuffer.start()
    return engine
  }

  public func close() async {
    await auditBuffer.close()
    files.stop()
    store.close()
  }

  /// Lists audit events newest first. A bad filter is INVALID_ARGUMENT.
  public func listAuditEvents(_ filter: AuditEventFilter) async throws(ServiceError)
    -> AuditRecordPage
  {
    try await AuditTrail.list(filter, in: store, database: "registry")
  }

  /// Wraps a store failure as INTERNAL and logs it. A `ServiceError` passes through.
  func storageError(_ error: any Error, _ operation: String) -> ServiceError {
    if let error = error as? ServiceError { return error }
    logger.error("registry store operation failed", ["operation": operation, "error": "\(error)"])
    return .storage(error, operation: operation, database: "registry")
  }
}

/// A model version's identity.
struct VersionKey: Hashable, Sendable {
  let model: String
  let version: Int64
}
