import CCrypto

/// Cryptographically secure random bytes from libcrypto's default DRBG (`RAND_bytes`).
/// Thread-safe.
public enum SecureRandom {
  private static let base64URLDigits = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

  /// Returns `count` random bytes; throws `CryptoError` naming `RAND_bytes` when the generator
  /// cannot be seeded.
  public static func bytes(count: Int) throws -> [UInt8] {
    precondition(count >= 0, "SecureRandom.bytes count \(count) is negative")
    var bytes = [UInt8](repeating: 0, count: count)
    try bytes.withUnsafeMutableBufferPointer { buffer in
      var offset = 0
      while offset < buffer.count {
        let chunk = min(buffer.count - offset, Int(Int32.max))
        guard RAND_bytes(buffer.baseAddress! + offset, Int32(chunk)) == 1 else {
          throw CryptoError.take(function: "RAND_bytes")
        }
        offset += chunk
      }
    }
    return bytes
  }

  /// Returns `byteCount` random bytes as unpadded base64url (RFC 4648 section 5), safe in URLs
  /// and file names. The default 32 bytes give a 43-character token.
  public static func token(byteCount: Int = 32) throws -> String {
    base64URL(try bytes(count: byteCount))
  }

  /// Returns `bytes` as base64url without `=` padding.
  public static func base64URL(_ bytes: [UInt8]) -> String {
    var text: [UInt8] = []
    text.reserveCapacity((bytes.count * 4 + 2) / 3)
    var index = 0
    while index < bytes.count {
      let remaining = bytes.count - index
      let first = UInt32(bytes[index])
      let second = remaining > 1 ? UInt32(bytes[index + 1]) : 0
      let third = remaining > 2 ? UInt32(bytes[index + 2]) : 0
      let group = first << 16 | second << 8 | third
      text.append(base64URLDigits[Int(group >> 18 & 0x3f)])
      text.append(base64URLDigits[Int(group >> 12 & 0x3f)])
      if remaining > 1 { text.append(base64URLDigits[Int(group >> 6 & 0x3f)]) }
      if remaining > 2 { text.append(base64URLDigits[Int(group & 0x3f)]) }
      index += 3
    }
    return String(decoding: text, as: UTF8.self)
  }
}
