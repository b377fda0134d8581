import EdgecatRPC
import Glibc

/// An open-loop load at a fixed rate, so that a slow server or a client that falls behind shows
/// up as latency, not as fewer calls. Call j of the run is due at start + j / rate and goes out
/// on connection j mod connections, started by that connection's `Pacer`. A call's latency runs
/// from its scheduled start to its status, so time a call spent waiting for its pacer or for a
/// free slot counts too.
struct PacedLoad: Sendable {
  let clients: [RPCClient]
  let method: String
  let request: [UInt8]
  let metadata: Metadata
  /// Calls/s over all connections.
  let rate: Int
  /// The maximum number of calls outstanding on one connection. A due call waits for one to end.
  let concurrency: Int
  /// CLOCK_MONOTONIC nanoseconds at which call 0 is due.
  let start: Int64
  /// Nanoseconds since `start`. Calls due in the window are measured, and none start after it.
  let window: Range<Int64>

  /// Nanoseconds since `start` at which call `index` of the run is due.
  func scheduledTime(_ index: Int) -> Int64 {
    Int64(index) * 1_000_000_000 / Int64(rate)
  }

  /// Nanoseconds since `start`.
  func elapsed() -> Int64 {
    monotonicNanoseconds() - start
  }

  /// Runs the load, blocking the calling thread until every call started has ended, and takes
  /// a CPU sample at each end of the window.
  func run(serverPID: Int32?) -> (PacedFigures, before: CPUSample, after: CPUSample) {
    let pacers = clients.enumerated().map { connection, client in
      Pacer(load: self, client: client, connection: connection)
    }
    for pacer in pacers { pacer.start() }
    sleepUntil(start + window.lowerBound)
    let before = CPUSample.take(serverPID: serverPID)
    sleepUntil(start + window.upperBound)
    let after = CPUSample.take(serverPID: serverPID)
    var total = PacedFigures()
    for pacer in pacers {
      pacer.join()
      total.merge(pacer.figures.withLock { $0 })
    }
    return (total, before, after)
  }
}

/// CLOCK_MONOTONIC in nanoseconds.
func monotonicNanoseconds() -> Int64 {
  var time = timespec()
  clock_gettime(CLOCK_MONOTONIC, &time)
  return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
}

/// Sleeps the calling thread until `deadline`, in CLOCK_MONOTONIC nanoseconds.
func sleepUntil(_ deadline: Int64) {
  var time = timespec(
    tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
  while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &time, nil) == EINTR {}
}
