import EdgecatLog
import EdgecatProto
import EdgecatRPC
import EdgecatStore

/// Downloads model artifacts from the registry into the model folder: bytes go to
/// `<sha256>.partial`, a later attempt resumes from that file's size, and only a file whose
/// SHA-256 matches the desired hash is renamed to `<sha256>`.
struct ArtifactFetcher: Sendable {
  let uplink: Uplink
  let folder: ModelFolder
  let worker: FileWorker
  let logger = Logger(component: "download")

  /// A failed download: `retryable` is false when trying again cannot help, such as a hash
  /// mismatch or a version the registry does not have.
  struct Failure: Error, CustomStringConvertible {
    let description: String
    let retryable: Bool
  }

  /// Makes `models/<sha256>` hold the verified artifact of `model` and returns its path. An
  /// existing file is hashed again before it is trusted.
  func fetch(_ model: InstalledModel) async throws(Failure) -> String {
    guard model.sha256.utf8.count == 64, model.sha256.utf8.allSatisfy(Self.isHexDigit) else {
      throw Failure(
        description: "the desired state of \(model) has no valid artifact SHA-256:"
          + " \"\(model.sha256.prefix(80))\"", retryable: false)
    }
    let target = folder.modelPath(model.sha256)
    let partial = folder.partialPath(model.sha256)
    let existing = try await file { () throws(FileError) in try ModelFolder.size(target) }
    if existing != nil, try await verify(target, model) { return target }

    let offset = try await file { () throws(FileError) in try ModelFolder.size(partial) } ?? 0
    if offset > 0 {
      logger.info(
        "resuming download",
        [
          "model": model.modelFullName, "version": model.version,
          "offset": offset,
        ])
    }

    try await download(model, from: offset, into: partial)
    var verified = try await verify(partial, model)
    if !verified && offset > 0 {
      // The kept prefix may be what differs, so one fresh download decides.
      logger.warning(
        "resumed download does not match, downloading again from the start",
        ["model": model.modelFullName, "version": model.version])
      try await download(model, from: 0, into: partial)
      verified = try await verify(partial, model)
    }

    guard verified else {
      throw Failure(
        description: "the downloaded artifact of \(model) does not match its SHA-256"
          + " \(model.sha256); the partial file was deleted", retryable: false)
    }
    try await file { () throws(FileError) in try folder.install(partial, as: target) }
    logger.info(
      "model file installed",
      [
        "model": model.modelFullName, "version": model.version,
        "path": target,
      ])
    CrashPoint.check(CrashPoint.afterModelRename)
    return target
  }

  /// Hashes the file at `path`; on a mismatch deletes it and returns false.
  private func verify(_ path: String, _ model: InstalledModel) async throws(Failure) -> Bool {
    let actual = try await file { () throws(FileError) in try ModelFolder.sha256(of: path) }
    guard actual == model.sha256 else {
      logger.error(
        "model file does not match its SHA-256, deleting it",
        ["path": path, "expected": model.sha256, "actual": actual])
      try await file { () throws(FileError) in try ModelFolder.remove(path) }
      return false
    }
    return true
  }

  private static func isHexDigit(_ byte: UInt8) -> Bool {
    (48...57).contains(byte) || (97...102).contains(byte)
  }

  /// Maps a failed call to a `Failure`; codes that another try cannot fix are not retryable.
  static func failure(_ error: RPCError, _ model: InstalledModel) -> Failure {
    let retryable: Bool =
      switch error.code {
      case .notFound, .permissionDenied, .invalidArgument, .failedPrecondition: false
      default: true
      }
    return Failure(
      description: "the download of \(model) failed with \(error)", retryable: retryable)
  }

  /// Runs blocking file work on the worker thread, mapping its errors to retryable failures.
  func file<T: Sendable>(_ body: @escaping @Sendable () throws(FileError) -> T)
    async throws(Failure) -> T
  {
    do {
      return try await worker.run { try body() }
    } catch {
      throw Failure(description: "\(error)", retryable: true)
    }
  }
}
