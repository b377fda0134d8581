import Glibc

/// A directory made with mkdtemp for one test; `remove()` deletes it with everything inside.
public struct TemporaryDirectory: Sendable {
  public let path: String

  /// Creates a directory named `prefix` and six random characters under /tmp.
  public init(prefix: String = "edgecat-test") {
    var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
    let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    precondition(created != nil, "mkdtemp failed: errno \(errno)")
    path = created.map { String(cString: $0) } ?? ""
  }

  /// Returns the path of `name` inside this directory.
  public func file(_ name: String) -> String { path + "/" + name }

  public func remove() { TemporaryDirectory.removeTree(path) }

  private static func removeTree(_ path: String) {
    if let directory = opendir(path) {
      while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
          String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
        }
        if name == "." || name == ".." { continue }
        removeTree(path + "/" + name)
      }
      closedir(directory)
      rmdir(path)
    } else {
      unlink(path)
    }
  }
}

/// Returns whether a file or directory exists at `path`.
public func fileExists(_ path: String) -> Bool { access(path, F_OK) == 0 }
