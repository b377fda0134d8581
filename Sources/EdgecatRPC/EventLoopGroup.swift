import Glibc
import Synchronization

/// A fixed set of event loops, one thread each. Connections are spread over them round-robin.
public final class EventLoopGroup: @unchecked Sendable {
  let loops: [EventLoop]
  private let next = Atomic<Int>(0)

  /// Starts `threads` loops; the default is one per core.
  public init(threads: Int = EventLoopGroup.coreCount) {
    loops = (0..<max(1, threads)).map { EventLoop(index: $0) }
    for loop in loops { loop.start() }
  }

  /// The group that servers and clients share unless they are given one.
  public static let shared = EventLoopGroup()

  public static var coreCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

  func nextLoop() -> EventLoop {
    loops[next.wrappingAdd(1, ordering: .relaxed).oldValue % loops.count]
  }

  /// Stops every loop and waits for their threads.
  public func shutdown() {
    for loop in loops { loop.stop() }
  }
}

enum MonotonicClock {
  /// Nanoseconds since an arbitrary fixed point, from CLOCK_MONOTONIC.
  static func now() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
  }
}
