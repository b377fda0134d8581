import EdgecatCore
import EdgecatLog
import EdgecatStore

/// A stored artifact opened for a download, from `RegistryEngine.openArtifact`. The bytes stay
/// readable until it is released, even when the version is deleted meanwhile.
public final class ArtifactDownload: Sendable {
  /// Lower-case hex.
  public let sha256: String
  public let size: Int64
  let reader: ArtifactReader
  let files: FileThreads

  init(reader: ArtifactReader, files: FileThreads, sha256: String, size: Int64) {
    self.reader = reader
    self.files = files
    self.sha256 = sha256
    self.size = size
  }

  /// Reads up to `count` bytes at `offset`, fewer only at the end of the artifact.
  public func read(at offset: Int64, count: Int) async throws(ServiceError) -> [UInt8] {
    let reader = self.reader
    do {
      return try await files.run { () throws(FileError) in
        try reader.read(at: offset, count: count)
      }
    } catch {
      Logger(component: "registry").error(
        "reading an artifact failed", ["artifact.sha256": sha256, "error": error.description])
      throw ServiceError(
        code: .internal, message: "reading the artifact failed in the registry's blob folder")
    }
  }
}
