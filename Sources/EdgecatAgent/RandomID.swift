import EdgecatStore
import Glibc

/// Random ids and tokens read from `/dev/urandom`, which the agent uses in place of
/// libcrypto's generator.
enum RandomID {
  /// Returns `count` random bytes; throws `FileError` when /dev/urandom cannot be read.
  static func bytes(count: Int) throws -> [UInt8] {
    let path = "/dev/urandom"
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw FileError.last("opening", path) }
    defer { close(descriptor) }
    var bytes = [UInt8](repeating: 0, count: count)
    var filled = 0
    while filled < count {
      let result = bytes.withUnsafeMutableBytes { buffer in
        read(descriptor, buffer.baseAddress! + filled, count - filled)
      }
      if result < 0 && errno == EINTR { continue }
      guard result > 0 else { throw FileError.last("reading", path) }
      filled += result
    }
    return bytes
  }

  /// Returns `byteCount` random bytes as lower-case hex.
  static func hex(byteCount: Int) throws -> String {
    hexString(try bytes(count: byteCount))
  }
}

/// Returns `bytes` as lower-case hex digits.
func hexString(_ bytes: [UInt8]) -> String {
  let digits = Array("0123456789abcdef".utf8)
  var text: [UInt8] = []
  text.reserveCapacity(bytes.count * 2)
  for byte in bytes {
    text.append(digits[Int(byte >> 4)])
    text.append(digits[Int(byte & 0xF)])
  }
  return String(decoding: text, as: UTF8.self)
}
