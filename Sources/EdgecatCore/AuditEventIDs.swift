import Synchronization

/// Unique audit event ids without a random draw per event: a random prefix made once per
/// process, then a counter, such as `evt-3f9c1a2b7d04-1a`. Thread-safe.
public final class AuditEventIDs: Sendable {
  private let prefix: String
  private let counter = Atomic<UInt64>(0)

  /// `randomBytes` are the prefix's entropy, drawn by the caller from a secure source.
  public init(randomBytes: [UInt8]) {
    let hex = randomBytes.map { byte in
      let digits = String(byte, radix: 16)
      return digits.count == 1 ? "0" + digits : digits
    }
    prefix = "evt-" + hex.joined() + "-"
  }

  public func next() -> String {
    let value = counter.add(1, ordering: .relaxed).newValue
    return prefix + String(value, radix: 16)
  }
}
