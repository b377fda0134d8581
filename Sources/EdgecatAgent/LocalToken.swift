import EdgecatFlags
import EdgecatStore
import Glibc

/// The bearer token the application on the device presents to the agent's local service.
public enum LocalToken {
  /// Reads the token from `path`, or creates the file with a new random token, mode 0600,
  /// when it does not exist.
  public static func loadOrCreate(at path: String) throws -> String {
    if access(path, F_OK) == 0 { return try readTokenFile(path) }
    let token = try RandomID.hex(byteCount: 32)
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw FileError.last("creating the local token file", path) }
    defer { close(descriptor) }
    let bytes = Array((token + "\n").utf8)
    let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    guard written == bytes.count, fsync(descriptor) == 0 else {
      let error = FileError.last("writing the local token file", path)
      unlink(path)
      throw error
    }
    return token
  }

  /// Compares two tokens in time that depends only on their lengths.
  static func matches(_ presented: String, _ expected: String) -> Bool {
    let left = Array(presented.utf8)
    let right = Array(expected.utf8)
    guard left.count == right.count else { return false }
    var difference: UInt8 = 0
    for index in left.indices { difference |= left[index] ^ right[index] }
    return difference == 0
  }
}
