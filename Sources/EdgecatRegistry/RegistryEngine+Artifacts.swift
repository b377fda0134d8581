import EdgecatCore
import EdgecatStore
import Synchronization

/// Numbers that make temporary upload file names unique within this process, because the folder of
/// temporary files is emptied at every start.
private let uploadCounter = Atomic<UInt64>(0)

extension RegistryEngine {
  /// Starts the upload of a version's artifact of `size` bytes with SHA-256 `sha256` (64 hex
  /// digits). A size over `maximumArtifactBytes` is RESOURCE_EXHAUSTED and changes nothing. A
  /// version that is not PENDING_REGISTRATION, or already has an upload in progress, is
  /// FAILED_PRECONDITION.
  public func beginUpload(
    _ model: String, _ number: Int64, sha256: String, size: Int64, audit: AuditRecord
  ) async throws(ServiceError) -> ArtifactUpload {
    let digest = sha256.lowercased()
    // ASCII only: Character.isHexDigit also accepts full-width digits.
    let isHex = digest.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    guard digest.utf8.count == 64, isHex else {
      throw .invalidArgument(
        "sha256 \"\(sha256)\" is invalid; give the artifact's SHA-256 as 64 hex digits")
    }
    guard size > 0 else {
      throw .invalidArgument(
        "size_bytes \(size) is invalid; an artifact has at least 1 byte, so upload a non-empty"
          + " file and give its size in bytes")
    }
    guard size <= maximumArtifactBytes else {
      throw .resourceExhausted(
        "the artifact's size of \(size) bytes is over this registry's limit of"
          + " \(maximumArtifactBytes) bytes")
    }
    guard let record = try await version(model, number) else {
      throw .notFound("version \(number) of registered model \(model) does not exist")
    }
    guard record.status == .pendingRegistration else {
      throw .failedPrecondition(
        "version \(number) of \(model) is \(record.status.name), and only a"
          + " PENDING_REGISTRATION version takes an upload; create a new version")
    }
    let key = record.key
    guard uploading.withLock({ $0.insert(key).inserted }) else {
      throw .failedPrecondition(
        "an upload of version \(number) of \(model) is in progress; wait for it to end")
    }
    let name = digest + "-" + String(uploadCounter.add(1, ordering: .relaxed).newValue)
    let blobs = self.blobs
    do {
      let file = try await files.run { () throws(FileError) in
        try ArtifactFile(in: blobs, name: name)
      }
      return ArtifactUpload(
        engine: self, file: file, model: model, version: number, sha256: digest, size: size,
        audit: audit)
    } catch {
      uploading.withLock { _ = $0.remove(key) }
      logger.error("creating an upload file failed", ["error": error.description])
      throw ServiceError(
        code: .internal, message: "storing the artifact failed in the registry's blob folder")
    }
  }

  /// Opens the artifact of a READY version for reading. A version without one is
  /// FAILED_PRECONDITION.
  public func openArtifact(_ model: String, _ number: Int64) async throws(ServiceError)
    -> ArtifactDownload
  {
    guard let record = try await version(model, number) else {
      throw .notFound("version \(number) of registered model \(model) does not exist")
    }
    guard record.status == .ready else {
      throw .failedPrecondition(
        "version \(number) of \(model) is \(record.status.name) and has no artifact to"
          + " download")
    }
    let path = blobs.blobPath(record.artifactSHA256)
    do {
      let reader = try await files.run { () throws(FileError) in try ArtifactReader(path: path) }
      return ArtifactDownload(
        reader: reader, files: files, sha256: record.artifactSHA256, size: record.artifactSize)
    } catch {
      logger.error("opening an artifact failed", ["error": error.description])
      throw ServiceError(
        code: .internal, message: "reading the artifact failed in the registry's blob folder")
    }
  }

  /// Installs a verified upload's file as its blob and makes the version READY, with the
  /// audit event, in one write on the writer thread.
  func install(_ upload: ArtifactUpload) async throws(ServiceError) -> ModelVersionRecord {
    let (blobs, path, now) = (self.blobs, upload.file.path, clock())
    do {
      return try await store.write { db in
        var record = try Self.requireVersion(upload.model, upload.version, in: db)
        try db.execute(
          "INSERT INTO artifacts (sha256, size, created_at) VALUES (?, ?, ?)"
            + " ON CONFLICT (sha256) DO NOTHING", .text(upload.declaredSHA256),
          .integer(upload.declaredSize), .real(now))
        try blobs.install(path, sha256: upload.declaredSHA256)
        try db.execute(
          "UPDATE model_versions SET status = ?, status_message = '', artifact_sha256 = ?,"
            + " artifact_size = ?, updated_at = ? WHERE model = ? AND version = ?",
          .integer(ModelVersionStatus.ready.rawValue), .text(upload.declaredSHA256),
          .integer(upload.declaredSize), .real(now), .text(upload.model),
          .integer(upload.version))
        try AuditTrail.insert(upload.audit, into: db)
        record.status = .ready
        record.artifactSHA256 = upload.declaredSHA256
        record.artifactSize = upload.declaredSize
        record.updatedAt = now
        return record
      }
    } catch {
      throw storageError(error, "storing the artifact of version \(upload.version)")
    }
  }

  /// Marks a version FAILED_REGISTRATION with `reason`, with the audit event.
  func markFailed(_ model: String, _ number: Int64, reason: String, audit: AuditRecord)
    async throws(ServiceError)
  {
    let now = clock()
    do {
      try await store.write { db in
        try db.execute(
          "UPDATE model_versions SET status = ?, status_message = ?, updated_at = ?"
            + " WHERE model = ? AND version = ?",
          .integer(ModelVersionStatus.failedRegistration.rawValue), .text(reason), .real(now),
          .text(model), .integer(number))
        try AuditTrail.insert(audit, into: db)
      }
    } catch {
      throw storageError(error, "recording the failed upload of version \(number)")
    }
  }
}

extension ModelVersionStatus {
  /// The status as the API spells it, such as "READY".
  public var name: String {
    switch self {
    case .pendingRegistration: "PENDING_REGISTRATION"
    case .ready: "READY"
    case .failedRegistration: "FAILED_REGISTRATION"
    }
  }
}
