/// One call of a paced run, its times in nanoseconds since the run's start.
struct PacedCall: Sendable {
  var scheduled: Int64
  var started: Int64
  var ended: Int64
  /// The status was OK and a response arrived.
  var succeeded: Bool
}

/// The figures of a paced run: the calls due in the measured window, and the calls that ended
/// in it.
struct PacedFigures: Sendable {
  /// A call that starts later than this after its scheduled time counts as a late start.
  static let lateStartNanoseconds: Int64 = 100_000

  /// From scheduled start to status, in nanoseconds, of the successful calls due in the window.
  var latencies: [Int64] = []
  /// Calls due in the window that ended with a status other than OK or without a response.
  var failures = 0
  /// Calls due in the window that started more than `lateStartNanoseconds` after it.
  var lateStarts = 0
  /// Calls due in the window but still waiting to start when it ended; they have no latency.
  var notStarted = 0
  /// Successful calls that ended in the window, whatever their scheduled time.
  var endedInWindow = 0

  mutating func record(_ call: PacedCall, window: Range<Int64>) {
    if call.succeeded && window.contains(call.ended) { endedInWindow += 1 }
    guard window.contains(call.scheduled) else { return }
    if call.started - call.scheduled > Self.lateStartNanoseconds { lateStarts += 1 }
    if call.succeeded {
      latencies.append(call.ended - call.scheduled)
    } else {
      failures += 1
    }
  }

  mutating func merge(_ other: PacedFigures) {
    latencies += other.latencies
    failures += other.failures
    lateStarts += other.lateStarts
    notStarted += other.notStarted
    endedInWindow += other.endedInWindow
  }
}
