import Synchronization

/// A point in time by the monotonic clock, after which a call is past its deadline.
public struct Deadline: Sendable, Comparable {
  /// Nanoseconds on CLOCK_MONOTONIC.
  public let uptimeNanoseconds: UInt64

  public init(uptimeNanoseconds: UInt64) {
    self.uptimeNanoseconds = uptimeNanoseconds
  }

  /// Returns the deadline `timeout` from now.
  public static func after(_ timeout: Duration) -> Deadline {
    Deadline(uptimeNanoseconds: MonotonicClock.now() &+ nanoseconds(of: timeout))
  }

  /// Returns `duration` in whole nanoseconds, 0 for a negative one.
  static func nanoseconds(of duration: Duration) -> UInt64 {
    let (seconds, attoseconds) = duration.components
    return UInt64(max(0, seconds) * 1_000_000_000 + max(0, attoseconds) / 1_000_000_000)
  }

  /// Time left, zero once the deadline passed.
  public var remaining: Duration {
    let now = MonotonicClock.now()
    guard uptimeNanoseconds > now else { return .zero }
    return .nanoseconds(Int64(clamping: uptimeNanoseconds - now))
  }

  public var hasPassed: Bool { MonotonicClock.now() >= uptimeNanoseconds }

  public static func < (lhs: Deadline, rhs: Deadline) -> Bool {
    lhs.uptimeNanoseconds < rhs.uptimeNanoseconds
  }
}

/// The facts of a call that its handler reads, and the response metadata it can set. A class,
/// so that passing it to a handler and keeping it with the call copies one reference.
/// Thread-safe.
public final class ServerContext: Sendable {
  /// The `:path` of the call, such as `/grpc.health.v1.Health/Check`.
  public let method: String
  /// Custom metadata of the request.
  public let metadata: Metadata
  /// From the request's `grpc-timeout`; nil when the client set none.
  public let deadline: Deadline?
  /// The request's `x-request-id`, or one generated when it had none; sent back in the response
  /// headers and meant to be passed on to downstream calls.
  public let requestID: String
  /// `HOST:PORT` of the client.
  public let peer: String
  /// Response metadata the handler added so far.
  let responseMetadata = Mutex(ResponseMetadata())
  let shutdown: ShutdownFlag

  init(
    method: String, metadata: Metadata, deadline: Deadline?, requestID: String, peer: String,
    shutdown: ShutdownFlag
  ) {
    self.method = method
    self.metadata = metadata
    self.deadline = deadline
    self.requestID = requestID
    self.peer = peer
    self.shutdown = shutdown
  }

  /// True once the server began a graceful shutdown. Long-lived streams, such as change feeds,
  /// should end then, so that the server need not wait out its grace period for them.
  public var isServerShuttingDown: Bool { shutdown.isSet }

  /// Adds a header to the response's initial metadata; it counts only before the first message
  /// is written or the call ends.
  public func addResponseHeader(_ key: String, _ value: String) {
    responseMetadata.withLock { $0.headers.add(key, value) }
  }

  /// Adds trailing metadata sent with the status.
  public func addTrailer(_ key: String, _ value: String) {
    responseMetadata.withLock { $0.trailers.add(key, value) }
  }
}

/// Response metadata a handler adds while it runs.
struct ResponseMetadata {
  var headers = Metadata()
  var trailers = Metadata()
}

enum RequestID {
  /// 64 random bits drawn once per process as 16 hex digits, so ids from different processes
  /// differ.
  private static let processPrefix: [UInt8] = {
    var generator = SystemRandomNumberGenerator()
    let bits: UInt64 = generator.next()
    return [UInt8](unsafeUninitializedCapacity: 16) { buffer, count in
      writeHex(bits, into: buffer, at: 0)
      count = 16
    }
  }()
  private static let counter = Atomic<UInt64>(0)

  /// Returns 32 lower-case hex digits: the process prefix and a per-process sequence number,
  /// which needs no system call per request. Consecutive ids differ in their last digits,
  /// so that a log of them can store a small step instead of each id.
  static func generate() -> String {
    let sequence = counter.wrappingAdd(1, ordering: .relaxed).newValue
    return processPrefix.withUnsafeBufferPointer { prefix in
      String(unsafeUninitializedCapacity: 32) { buffer in
        _ = UnsafeMutableBufferPointer(rebasing: buffer[..<16]).initialize(fromContentsOf: prefix)
        writeHex(sequence, into: buffer, at: 16)
        return 32
      }
    }
  }

  /// Writes `value` as 16 lower-case hex digits at `offset`.
  private static func writeHex(
    _ value: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int
  ) {
    let digits: StaticString = "0123456789abcdef"
    for index in 0..<16 {
      buffer[offset + index] = digits.utf8Start[Int(value >> UInt64(60 - 4 * index) & 0xF)]
    }
  }
}

/// A flag one server sets when it begins shutting down. Thread-safe.
final class ShutdownFlag: Sendable {
  private let value = Atomic<Bool>(false)

  var isSet: Bool { value.load(ordering: .relaxed) }

  func set() { value.store(true, ordering: .relaxed) }
}
