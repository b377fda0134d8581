import Glibc

/// Reads a bearer token from `path`, as edgecat-policy's bootstrap writes it: one line, with
/// surrounding whitespace ignored. A missing, unreadable or empty file is a `UsageError`.
public func readTokenFile(_ path: String) throws(UsageError) -> String {
  guard let file = fopen(path, "r") else {
    throw UsageError(message: "cannot open token file \(path): \(String(cString: strerror(errno)))")
  }
  defer { fclose(file) }
  var bytes: [UInt8] = []
  var buffer = [UInt8](repeating: 0, count: 4096)
  while true {
    let count = fread(&buffer, 1, buffer.count, file)
    bytes += buffer[0..<count]
    if count < buffer.count { break }
    guard bytes.count <= 65_536 else {
      throw UsageError(message: "token file \(path) is larger than 64 KiB; it holds one token")
    }
  }
  let token = String(decoding: bytes, as: UTF8.self).filter { !$0.isWhitespace }
  guard !token.isEmpty else {
    throw UsageError(message: "token file \(path) is empty; write the service's token to it")
  }
  return token
}
