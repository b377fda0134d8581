import EdgecatCore
import EdgecatStore
import Synchronization

/// An artifact upload in progress, from `RegistryEngine.beginUpload`. Call `append` for each
/// chunk, in order and one call at a time, then `finish`. Call `cancel` when the client goes
/// away. A failure or cancel deletes the temporary file, so no partial upload stays behind.
public final class ArtifactUpload: Sendable {
  public let model: String
  public let version: Int64
  /// Lower-case hex.
  public let declaredSHA256: String
  public let declaredSize: Int64
  let engine: RegistryEngine
  let file: ArtifactFile
  /// The audit event of a successful upload. Failures store it with their status code.
  let audit: AuditRecord
  private let ended = Atomic<Bool>(false)
  private let failed = Atomic<Bool>(false)

  init(
    engine: RegistryEngine, file: ArtifactFile, model: String, version: Int64,
    sha256: String, size: Int64, audit: AuditRecord
  ) {
    self.engine = engine
    self.file = file
    self.model = model
    self.version = version
    declaredSHA256 = sha256
    declaredSize = size
    self.audit = audit
  }

  /// True once the upload made the version FAILED_REGISTRATION, which stored the audit event
  /// with the status change.
  public var failedRegistration: Bool { failed.load(ordering: .relaxed) }

  /// Bytes received so far.
  public var receivedSize: Int64 { file.byteCount }

  /// Writes the next chunk. More bytes than declared fail the registration.
  public func append(_ chunk: [UInt8]) async throws(ServiceError) {
    guard file.byteCount + Int64(chunk.count) <= declaredSize else {
      try await fail("the upload sent more than the declared \(declaredSize) bytes")
    }
    let file = self.file
    do {
      try await engine.files.run { () throws(FileError) in try file.append(chunk) }
    } catch {
      throw abandon(error)
    }
  }

  /// Checks the size and SHA-256 of what was sent, then stores the artifact and makes the
  /// version READY, or makes it FAILED_REGISTRATION with the reason and throws
  /// INVALID_ARGUMENT.
  public func finish() async throws(ServiceError) -> ModelVersionRecord {
    guard file.byteCount == declaredSize else {
      try await fail(
        "the upload is truncated: it sent \(file.byteCount) of the declared \(declaredSize)"
          + " bytes")
    }
    let file = self.file
    let sha256: String
    do {
      sha256 = try await engine.files.run { () throws(FileError) in try file.finish() }
    } catch {
      throw abandon(error)
    }
    guard sha256 == declaredSHA256 else {
      try await fail(
        "the uploaded bytes have SHA-256 \(sha256), not the declared \(declaredSHA256)")
    }
    defer { end() }
    do {
      return try await engine.install(self)
    } catch {
      file.discard()
      throw error
    }
  }

  /// Deletes the temporary file and leaves the version PENDING_REGISTRATION, so the upload
  /// can be tried again. Does nothing once the upload ended.
  public func cancel() {
    guard !ended.load(ordering: .relaxed) else { return }
    file.discard()
    end()
  }

  /// Fails the registration with `reason`: deletes the file, stores the status with the
  /// audit event and throws INVALID_ARGUMENT.
  private func fail(_ reason: String) async throws(ServiceError) -> Never {
    file.discard()
    defer { end() }
    var event = audit
    event.result = "INVALID_ARGUMENT"
    try await engine.markFailed(model, version, reason: reason, audit: event)
    failed.store(true, ordering: .relaxed)
    throw .invalidArgument(
      "\(reason); version \(version) of \(model) is now FAILED_REGISTRATION, so create a new"
        + " version and upload again")
  }

  /// Gives up after a file system failure, which is INTERNAL and leaves the version pending.
  private func abandon(_ error: FileError) -> ServiceError {
    file.discard()
    end()
    engine.logger.error(
      "artifact upload failed",
      ["model": model, "version": version, "error": error.description])
    return ServiceError(
      code: .internal, message: "storing the artifact failed in the registry's blob folder")
  }

  private func end() {
    guard !ended.exchange(true, ordering: .relaxed) else { return }
    engine.uploading.withLock { _ = $0.remove(VersionKey(model: model, version: version)) }
  }
}
