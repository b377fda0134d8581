import Glibc

/// A directory made with mkdtemp for one test; `remove()` deletes it with everything inside.
struct TemporaryDirectory: Sendable {
  let path: String

  init() {
    var template = Array("/tmp/edgecat-agent-test-XXXXXX".utf8CString)
    let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    precondition(created != nil, "mkdtemp failed: errno \(errno)")
    path = created.map { String(cString: $0) } ?? ""
  }

  /// Returns the path of `name` inside this directory.
  func file(_ name: String) -> String { path + "/" + name }

  func remove() { _ = system("rm -rf '\(path)'") }
}

func fileExists(_ path: String) -> Bool { access(path, F_OK) == 0 }

/// Returns the names in a folder, without "." and "..", sorted.
func fileNames(in folder: String) -> [String] {
  guard let directory = opendir(folder) else { return [] }
  defer { closedir(directory) }
  var names: [String] = []
  while let entry = readdir(directory) {
    let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
      String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
    }
    if name != "." && name != ".." { names.append(name) }
  }
  return names.sorted()
}

/// Polls `condition` every 20 ms, up to 500 times, until it holds, and returns whether it did.
func eventually(_ condition: () async throws -> Bool) async rethrows -> Bool {
  for _ in 0..<500 {
    if try await condition() { return true }
    try? await Task.sleep(for: .milliseconds(20))
  }
  return false
}
