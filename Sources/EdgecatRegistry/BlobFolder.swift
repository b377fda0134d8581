import EdgecatStore
import Glibc

/// The artifact folder: each stored artifact is the file `<path>/<sha256 hex>`, and uploads in
/// progress are files in `<path>/tmp`. Every method blocks on file system calls, so call them
/// from `FileThreads` or the store's writer thread, never from the cooperative pool.
struct BlobFolder: Sendable {
  let path: String

  var temporaryFolder: String { path + "/tmp" }

  func blobPath(_ sha256: String) -> String { path + "/" + sha256 }

  /// Creates the folder and its `tmp` folder with mode 0700 when missing.
  func create() throws(FileError) {
    for folder in [path, temporaryFolder] where mkdir(folder, 0o700) != 0 && errno != EEXIST {
      throw .last("creating the artifact folder", folder)
    }
  }

  /// Moves a finished, fsynced upload to the blob of `sha256` and fsyncs the folder, so the
  /// name survives a crash. An existing blob of that hash has the same bytes and is replaced.
  func install(_ temporaryPath: String, sha256: String) throws(FileError) {
    let target = blobPath(sha256)
    guard rename(temporaryPath, target) == 0 else { throw .last("renaming the upload", target) }
    try syncFolder(path)
  }

  /// Deletes the blob of `sha256`. A blob that is already gone counts as deleted.
  func remove(sha256: String) throws(FileError) {
    let target = blobPath(sha256)
    guard unlink(target) == 0 || errno == ENOENT else {
      throw .last("deleting the artifact", target)
    }
  }

  /// Deletes every temporary file and every blob whose hash is not in `stored`, and returns
  /// how many files it deleted.
  func sweep(keeping stored: Set<String>) throws(FileError) -> Int {
    var removed = 0
    for name in try entries(of: temporaryFolder) {
      guard unlink(temporaryFolder + "/" + name) == 0 else {
        throw .last("deleting a leftover upload", temporaryFolder + "/" + name)
      }
      removed += 1
    }
    for name in try entries(of: path) where name != "tmp" && !stored.contains(name) {
      guard unlink(path + "/" + name) == 0 else {
        throw .last("deleting an unreferenced artifact", path + "/" + name)
      }
      removed += 1
    }
    return removed
  }

  /// Lists the names in a folder, without "." and "..".
  private func entries(of folder: String) throws(FileError) -> [String] {
    guard let directory = opendir(folder) else { throw .last("listing the folder", folder) }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names
  }
}

/// Fsyncs a folder, so that the names created or removed in it are durable.
func syncFolder(_ path: String) throws(FileError) {
  let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
  guard descriptor >= 0 else { throw .last("opening the folder", path) }
  defer { close(descriptor) }
  guard fsync(descriptor) == 0 else { throw .last("fsync of the folder", path) }
}
