import EdgecatPolicy
import Synchronization

/// Encoded Check responses of one policy revision, keyed by the caller, its end user and the
/// request's bytes, so that a caller repeating a request skips decoding it, deciding it,
/// building its reason and encoding the response. A hit is served only through
/// `PolicyEngine.repeated`, which gives the decision a new id and returns nil once any write
/// moved the revision. The first entry stored at a newer revision empties the cache. A cache
/// of capacity 0 keeps nothing. Thread-safe.
public final class CheckResponseCache: Sendable {
  /// The authenticated caller, the end user it calls for, and the request's bytes.
  struct Key: Hashable, Sendable {
    let caller: String
    let endUser: String
    let request: [UInt8]
    /// The hash of the request's bytes, computed once, so that a request not in the cache is
    /// hashed once for its look-up and its store. The caller and end user are left out of it,
    /// because a request names the principal it checks, so different callers seldom send the
    /// same bytes. Equality still compares them.
    private let digest: Int

    init(caller: String, endUser: String, request: [UInt8]) {
      self.caller = caller
      self.endUser = endUser
      self.request = request
      var hasher = Hasher()
      // In one call: an array would hash its elements one by one.
      request.withUnsafeBytes { hasher.combine(bytes: $0) }
      digest = hasher.finalize()
    }

    func hash(into hasher: inout Hasher) {
      hasher.combine(digest)
    }

    static func == (left: Key, right: Key) -> Bool {
      left.digest == right.digest && left.request == right.request && left.caller == right.caller
        && left.endUser == right.endUser
    }
  }

  /// A decided check: the decision as the decision log queues each repeat of it, and its
  /// first response, whose bytes before `bodyCount` are the response without its
  /// `decision_id`, which each call appends with its own id. A struct of two references, so
  /// that a Check never seen before allocates no object for it.
  struct Entry: Sendable {
    let logged: LoggableDecision
    let response: [UInt8]
    let bodyCount: Int
  }

  /// The default maximum number of entries.
  public static let defaultCapacity = 4096
  /// Requests longer than this are not kept, so that the cache's memory stays bounded.
  static let maximumRequestBytes = 1024

  /// The maximum number of entries, past which the cache is emptied.
  let capacity: Int
  private let state = Mutex<(revision: UInt64, entries: [Key: Entry])>((0, [:]))

  init(capacity: Int = CheckResponseCache.defaultCapacity) {
    self.capacity = max(0, capacity)
  }

  func lookUp(_ key: Key) -> Entry? {
    guard capacity > 0 else { return nil }
    return state.withLock { $0.entries[key] }
  }

  func store(_ entry: Entry, for key: Key) {
    guard capacity > 0, key.request.count <= Self.maximumRequestBytes else { return }
    state.withLock { state in
      let revision = entry.logged.decision.revision
      if revision != state.revision {
        guard revision > state.revision else { return }
        state = (revision, [:])
      }
      if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
      state.entries[key] = entry
    }
  }

  /// Returns the response of `entry` with the `decision_id` field (number 4 of CheckResponse)
  /// holding the id of its decision under serial number `serial`, written into one new array.
  static func response(repeating entry: Entry, serial: UInt64) -> [UInt8] {
    // Keeping the record alive lets its decision be passed without copying each field.
    let logged = entry.logged
    return withExtendedLifetime(logged) {
      var response: [UInt8] = []
      response.reserveCapacity(entry.bodyCount + idFieldCount(logged.decision, serial: serial))
      response.append(contentsOf: entry.response[..<entry.bodyCount])
      appendIDField(logged.decision, serial: serial, to: &response)
      return response
    }
  }

  /// Appends the `decision_id` field holding the id of `decision` under serial number `serial`
  /// to an encoded CheckResponse, in place when `response` has the capacity for it.
  static func appendIDField(_ decision: Decision, serial: UInt64, to response: inout [UInt8]) {
    let fieldCount = idFieldCount(decision, serial: serial)
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: fieldCount) { field in
      let written = writeIDField(decision, serial: serial, into: field)
      response.append(contentsOf: UnsafeBufferPointer(rebasing: field[..<written]))
    }
  }

  /// Returns the bytes of the `decision_id` field of `decision` under serial number `serial`:
  /// its tag, its length as a varint and the id.
  static func idFieldCount(_ decision: Decision, serial: UInt64) -> Int {
    let idCount = decision.idByteCount(serial: serial)
    var lengthBytes = 1
    while idCount >> (7 * lengthBytes) > 0 { lengthBytes += 1 }
    return 1 + lengthBytes + idCount
  }

  private static func writeIDField(
    _ decision: Decision, serial: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>
  ) -> Int {
    buffer[0] = 4 << 3 | 2
    var used = 1
    var length = decision.idByteCount(serial: serial)
    while length >= 0x80 {
      buffer[used] = UInt8(length & 0x7F) | 0x80
      length >>= 7
      used += 1
    }
    buffer[used] = UInt8(length)
    used += 1
    return used
      + decision.writeID(
        serial: serial, into: UnsafeMutableBufferPointer(rebasing: buffer[used...]))
  }
}
