import Glibc

/// A directory made with mkdtemp for one test; `remove()` deletes it with everything inside.
struct TemporaryDirectory {
  let path: String

  init() {
    var template = Array("/tmp/edgecat-store-test-XXXXXX".utf8CString)
    let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    precondition(created != nil, "mkdtemp failed: errno \(errno)")
    path = created.map { String(cString: $0) } ?? ""
  }

  /// Returns the path of `name` inside this directory.
  func file(_ name: String) -> String { path + "/" + name }

  func remove() { TemporaryDirectory.removeTree(path) }

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

/// Copies the file at `source` to `destination` byte for byte; returns false when `source`
/// does not exist.
@discardableResult
func copyFile(_ source: String, _ destination: String) -> Bool {
  guard let input = fopen(source, "rb") else { return false }
  defer { fclose(input) }
  guard let output = fopen(destination, "wb") else { return false }
  defer { fclose(output) }
  var buffer = [UInt8](repeating: 0, count: 65536)
  while true {
    let count = fread(&buffer, 1, buffer.count, input)
    if count == 0 { break }
    fwrite(buffer, 1, count, output)
  }
  return true
}

func fileExists(_ path: String) -> Bool { access(path, F_OK) == 0 }

/// An error that test closures throw on purpose.
struct PlannedFailure: Error, Equatable {
  let id: Int
}
