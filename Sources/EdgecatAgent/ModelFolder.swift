import EdgecatStore
import Glibc

/// The folder of model files, `<data dir>/models`: each verified model is `<sha256>` and a
/// download in progress is `<sha256>.partial`. Every method blocks on file system calls and
/// must run on a `FileWorker`.
struct ModelFolder: Sendable {
  let path: String

  /// Returns `path` unchanged when it is absolute, else joined to the working folder with any
  /// leading `./` removed. Returns `path` unchanged when the working folder is unknown.
  static func absolute(_ path: String) -> String {
    guard !path.hasPrefix("/"), let workingFolder = getcwd(nil, 0) else { return path }
    defer { free(workingFolder) }
    var relative = Substring(path)
    while relative.hasPrefix("./") { relative = relative.dropFirst(2) }
    let base = String(cString: workingFolder)
    if relative.isEmpty || relative == "." { return base }
    return base.hasSuffix("/") ? base + relative : base + "/" + relative
  }

  /// Returns the path of the verified model file with hash `sha256`.
  func modelPath(_ sha256: String) -> String { path + "/" + sha256 }

  func partialPath(_ sha256: String) -> String { path + "/" + sha256 + ".partial" }

  /// Returns the size of the file at `path`, or nil when it does not exist.
  static func size(_ path: String) throws(FileError) -> Int64? {
    var info = stat()
    guard stat(path, &info) == 0 else {
      if errno == ENOENT { return nil }
      throw .last("reading the size", path)
    }
    return Int64(info.st_size)
  }

  /// Appends `bytes` to the file at `path`, creating it with mode 0600, and fsyncs it.
  static func append(_ bytes: [UInt8], to path: String) throws(FileError) {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw .last("opening the partial download", path) }
    defer { close(descriptor) }
    var written = 0
    while written < bytes.count {
      let result = bytes.withUnsafeBytes { buffer in
        write(descriptor, buffer.baseAddress! + written, buffer.count - written)
      }
      if result < 0 && errno == EINTR { continue }
      guard result > 0 else { throw .last("writing the partial download", path) }
      written += result
    }
    guard fsync(descriptor) == 0 else { throw .last("fsync of the partial download", path) }
  }

  /// Returns the lower-case hex SHA-256 of the file at `path`.
  static func sha256(of path: String) throws(FileError) -> String {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw .last("opening for hashing", path) }
    defer { close(descriptor) }
    var hash = SwiftSHA256()
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
      let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
      if count < 0 && errno == EINTR { continue }
      guard count >= 0 else { throw .last("reading for hashing", path) }
      if count == 0 { break }
      buffer.withUnsafeBytes { hash.update(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
    }
    return hexString(hash.finalize())
  }

  /// Renames `source` to `target`, replacing it atomically, and fsyncs the folder so that the
  /// rename survives a power loss.
  func install(_ source: String, as target: String) throws(FileError) {
    guard rename(source, target) == 0 else { throw .last("renaming the model into place", target) }
    let folder = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard folder >= 0 else { throw .last("opening the model folder", path) }
    defer { close(folder) }
    guard fsync(folder) == 0 else { throw .last("fsync of the model folder", path) }
  }

  /// Deletes the file at `path`; a file already gone counts as deleted.
  static func remove(_ path: String) throws(FileError) {
    guard unlink(path) == 0 || errno == ENOENT else { throw .last("deleting", path) }
  }

  /// Deletes every file in the folder whose name is not a hash in `keep`, partial downloads
  /// included, and returns the names deleted.
  func removeAll(except keep: Set<String>) throws(FileError) -> [String] {
    guard let directory = opendir(path) else { throw .last("listing the model folder", path) }
    defer { closedir(directory) }
    var removed: [String] = []
    while let entry = readdir(directory) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
      }
      guard name != ".", name != "..", !keep.contains(name) else { continue }
      try Self.remove(path + "/" + name)
      removed.append(name)
    }
    return removed
  }
}
