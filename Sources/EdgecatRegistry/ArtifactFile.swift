import EdgecatCrypto
import EdgecatStore
import Glibc

/// An upload being written to a temporary file, hashed as it arrives. Each method blocks on
/// file system calls and must run on `FileThreads`. Not thread-safe: one upload calls it from
/// one task, one call at a time, which is why it may be sent between threads.
final class ArtifactFile: @unchecked Sendable {
  let path: String
  private var descriptor: Int32
  private let hash = SHA256()
  private(set) var byteCount: Int64 = 0

  /// Creates a new temporary file, mode 0600, in `folder`.
  init(in folder: BlobFolder, name: String) throws(FileError) {
    path = folder.temporaryFolder + "/" + name + ".part"
    descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw .last("creating the upload file", path) }
  }

  deinit {
    if descriptor >= 0 { close(descriptor) }
  }

  /// Appends `bytes` to the file and the hash.
  func append(_ bytes: [UInt8]) throws(FileError) {
    var written = 0
    while written < bytes.count {
      let result = bytes.withUnsafeBytes { buffer in
        write(descriptor, buffer.baseAddress! + written, buffer.count - written)
      }
      if result < 0 && errno == EINTR { continue }
      guard result > 0 else { throw .last("writing the upload", path) }
      written += result
    }
    hash.update(bytes)
    byteCount += Int64(bytes.count)
  }

  /// Fsyncs and closes the file and returns the lower-case hex SHA-256 of what was written.
  func finish() throws(FileError) -> String {
    guard fsync(descriptor) == 0 else { throw .last("fsync of the upload", path) }
    close(descriptor)
    descriptor = -1
    return Hex.encode(hash.finalize())
  }

  /// Closes and deletes the file. A file already gone counts as deleted.
  func discard() {
    if descriptor >= 0 {
      close(descriptor)
      descriptor = -1
    }
    unlink(path)
  }
}

/// A stored artifact opened for reading. The open descriptor keeps the bytes readable even
/// when the blob is deleted meanwhile. Methods block and must run on `FileThreads`.
final class ArtifactReader: @unchecked Sendable {
  let path: String
  private let descriptor: Int32

  init(path: String) throws(FileError) {
    self.path = path
    descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw .last("opening the artifact", path) }
  }

  deinit { close(descriptor) }

  /// Reads up to `count` bytes at `offset`, fewer only at the end of the file.
  func read(at offset: Int64, count: Int) throws(FileError) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    var filled = 0
    while filled < count {
      let result = bytes.withUnsafeMutableBytes { buffer in
        pread(
          descriptor, buffer.baseAddress! + filled, count - filled, off_t(offset) + off_t(filled))
      }
      if result < 0 && errno == EINTR { continue }
      guard result >= 0 else { throw .last("reading the artifact", path) }
      if result == 0 { break }
      filled += result
    }
    bytes.removeLast(count - filled)
    return bytes
  }
}
