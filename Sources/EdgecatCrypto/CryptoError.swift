import CCrypto

/// A failed libcrypto call: the C function and the first error on OpenSSL's error queue.
public struct CryptoError: Error, Sendable, CustomStringConvertible {
  /// The libcrypto function that failed, such as `RAND_bytes`.
  public let function: String
  /// OpenSSL's packed error code (`ERR_get_error`), or 0 when the queue was empty.
  public let code: UInt
  /// OpenSSL's text for `code`, or a fixed message when the queue was empty.
  public let message: String

  public init(function: String, code: UInt, message: String) {
    self.function = function
    self.code = code
    self.message = message
  }

  public var description: String { "\(function) failed: \(message) (code \(code))" }

  /// Returns the error for a failed call to `function`, taking it from this thread's queue.
  static func take(function: String) -> CryptoError {
    var buffer = [CChar](repeating: 0, count: 256)
    let code = ccrypto_take_error(&buffer, buffer.count)
    let message =
      code == 0
      ? "no error on the OpenSSL error queue"
      : String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return CryptoError(function: function, code: UInt(code), message: message)
  }

  /// Stops the process with the error of `function`. SHA256 uses it for EVP digest calls, which
  /// fail on allocation or provider failure, not on any input.
  static func fatal(_ function: String) -> Never {
    preconditionFailure(take(function: function).description)
  }
}
