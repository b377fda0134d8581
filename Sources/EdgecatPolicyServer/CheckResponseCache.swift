import EdgecatPolicy
import Synchronization

/// Encoded Check responses of one policy revision, keyed by the caller, its end user and the
/// request's bytes, so that a caller repeating a request skips decoding it, deciding it,
/// building its reason and encoding the response. A hit is served only through
/// `PolicyEngine.repeated`, which gives the decision a new id and returns nil once any write
/// moved the revision. The first entry stored at a newer revision empties the cache.
/// Thread-safe.
final class CheckResponseCache: Sendable {
  /// The authenticated caller, the end user it calls for, and the request's bytes.
  struct Key: Hashable, Sendable {
    let caller: String
    let endUser: String
    let request: [UInt8]

    /// Hashes the request's bytes in one call; an array hashes its elements one by one.
    func hash(into hasher: inout Hasher) {
      hasher.combine(caller)
      hasher.combine(endUser)
      request.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
  }

  /// A decided check: the decision as the decision log queues each repeat of it, and the
  /// response encoded without its `decision_id`, which each call appends with its own id. A
  /// class, so that a hit retains one object instead of copying every field of the decision.
  final class Entry: Sendable {
    let logged: LoggableDecision
    let body: [UInt8]

    init(logged: LoggableDecision, body: [UInt8]) {
      self.logged = logged
      self.body = body
    }
  }

  /// Entries kept at most; the cache is emptied when it would grow past this.
  static let capacity = 4096
  /// Requests longer than this are not kept, so that the cache's memory stays bounded.
  static let maximumRequestBytes = 1024

  private let state = Mutex<(revision: UInt64, entries: [Key: Entry])>((0, [:]))

  func lookUp(_ key: Key) -> Entry? {
    state.withLock { $0.entries[key] }
  }

  func store(_ entry: Entry, for key: Key) {
    guard key.request.count <= Self.maximumRequestBytes else { return }
    state.withLock { state in
      let revision = entry.logged.decision.revision
      if revision != state.revision {
        guard revision > state.revision else { return }
        state = (revision, [:])
      }
      if state.entries.count >= Self.capacity { state.entries.removeAll(keepingCapacity: true) }
      state.entries[key] = entry
    }
  }

  /// Returns `body` followed by the `decision_id` field (number 4 of CheckResponse) holding
  /// the id of `decision` under serial number `serial`, written into one new array.
  static func response(_ body: [UInt8], decision: Decision, serial: UInt64) -> [UInt8] {
    let idCount = decision.idByteCount(serial: serial)
    var lengthBytes = 1
    while idCount >> (7 * lengthBytes) > 0 { lengthBytes += 1 }
    let total = body.count + 1 + lengthBytes + idCount
    return [UInt8](unsafeUninitializedCapacity: total) { buffer, count in
      var used = body.withUnsafeBufferPointer { source in
        UnsafeMutableBufferPointer(rebasing: buffer[..<source.count])
          .initialize(fromContentsOf: source)
      }
      buffer[used] = 4 << 3 | 2
      used += 1
      var length = idCount
      while length >= 0x80 {
        buffer[used] = UInt8(length & 0x7F) | 0x80
        length >>= 7
        used += 1
      }
      buffer[used] = UInt8(length)
      used += 1
      used += decision.writeID(
        serial: serial, into: UnsafeMutableBufferPointer(rebasing: buffer[used...]))
      count = used
    }
  }
}
