import EdgecatTestSupport
import Glibc

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
