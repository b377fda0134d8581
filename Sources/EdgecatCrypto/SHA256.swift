import CCrypto

/// An incremental SHA-256 hash (FIPS 180-4) computed with libcrypto's EVP interface, for data
/// such as artifacts that arrive in chunks. Not thread-safe: use an instance from one thread.
public final class SHA256 {
  /// The digest length in bytes.
  public static let digestByteCount = 32

  /// libcrypto's SHA-256 implementation, fetched once; EVP_MD objects may be shared by threads.
  private nonisolated(unsafe) static let algorithm: OpaquePointer = {
    guard let algorithm = EVP_MD_fetch(nil, "SHA256", nil) else {
      CryptoError.fatal("EVP_MD_fetch")
    }
    return algorithm
  }()

  private let context: OpaquePointer

  /// Creates a hash of the empty message; failure to allocate libcrypto's context stops the
  /// process.
  public init() {
    guard let context = EVP_MD_CTX_new() else { CryptoError.fatal("EVP_MD_CTX_new") }
    self.context = context
    start()
  }

  deinit { EVP_MD_CTX_free(context) }

  /// Appends `buffer` to the message; the bytes are not kept after the call returns.
  public func update(_ buffer: UnsafeRawBufferPointer) {
    guard let base = buffer.baseAddress, buffer.count > 0 else { return }
    guard EVP_DigestUpdate(context, base, buffer.count) == 1 else {
      CryptoError.fatal("EVP_DigestUpdate")
    }
  }

  public func update(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { update($0) }
  }

  /// Appends the UTF-8 bytes of `text` to the message.
  public func update(_ text: String) {
    var text = text
    text.withUTF8 { update(UnsafeRawBufferPointer($0)) }
  }

  /// Returns the 32-byte digest of everything passed to `update` and resets this hash to the
  /// empty message, so it can be reused.
  public func finalize() -> [UInt8] {
    var digest = [UInt8](repeating: 0, count: SHA256.digestByteCount)
    var length: UInt32 = 0
    guard EVP_DigestFinal_ex(context, &digest, &length) == 1 else {
      CryptoError.fatal("EVP_DigestFinal_ex")
    }
    precondition(length == SHA256.digestByteCount, "SHA-256 digest of \(length) bytes")
    start()
    return digest
  }

  /// Returns the SHA-256 digest of `bytes`.
  public static func hash(_ bytes: [UInt8]) -> [UInt8] {
    let hash = SHA256()
    hash.update(bytes)
    return hash.finalize()
  }

  /// Returns the SHA-256 digest of the bytes in `buffer`.
  public static func hash(_ buffer: UnsafeRawBufferPointer) -> [UInt8] {
    let hash = SHA256()
    hash.update(buffer)
    return hash.finalize()
  }

  /// Returns the SHA-256 digest of the UTF-8 bytes of `text`.
  public static func hash(_ text: String) -> [UInt8] {
    let hash = SHA256()
    hash.update(text)
    return hash.finalize()
  }

  /// Returns the digest of `bytes` as 64 lowercase hex digits.
  public static func hexDigest(_ bytes: [UInt8]) -> String {
    Hex.encode(hash(bytes))
  }

  private func start() {
    guard EVP_DigestInit_ex2(context, SHA256.algorithm, nil) == 1 else {
      CryptoError.fatal("EVP_DigestInit_ex2")
    }
  }
}
