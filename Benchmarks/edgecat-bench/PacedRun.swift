import EdgecatRPC
import Glibc

/// CPU time of this process and of the server, in nanoseconds, and this process's context
/// switches, at one instant.
struct CPUSample: Sendable {
  /// User and system time of this process's threads, from getrusage(RUSAGE_SELF).
  var client: Int64 = 0
  /// Voluntary context switches of this process's threads, from getrusage(RUSAGE_SELF): waits
  /// such as clock_nanosleep or epoll_wait, each of which ends with a wake-up.
  var clientWaits: Int64 = 0
  var server: UInt64?

  static func take(serverPID: Int32?) -> CPUSample {
    var sample = CPUSample(server: serverPID.flatMap { cpuNanoseconds(pid: $0) })
    var usage = rusage()
    guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return sample }
    let seconds = Int64(usage.ru_utime.tv_sec) + Int64(usage.ru_stime.tv_sec)
    let microseconds = Int64(usage.ru_utime.tv_usec) + Int64(usage.ru_stime.tv_usec)
    sample.client = seconds * 1_000_000_000 + microseconds * 1_000
    sample.clientWaits = Int64(usage.ru_nvcsw)
    return sample
  }
}

/// Runs the open-loop load of `--rate` and prints its figures. They are the calls/s that ended
/// in the measured time, the late starts, the latency from each call's scheduled start, and the
/// CPU time per call of this client and of the server over the measured time.
func runPaced(
  options: Options, clients: [RPCClient], method: String, request: [UInt8], metadata: Metadata
) async {
  let warmup = options.warmup.nanoseconds
  let load = PacedLoad(
    clients: clients, method: method, request: request, metadata: metadata, rate: options.rate,
    concurrency: options.concurrency, start: monotonicNanoseconds(),
    window: warmup..<(warmup + options.duration.nanoseconds))
  let (figures, before, after) = await runOnNewThread { load.run(serverPID: options.serverPID) }

  let latencies = figures.latencies.sorted()
  let seconds = Double(options.duration.components.seconds)
  let due = latencies.count + figures.failures + figures.notStarted
  print(
    "calls due in \(Int(seconds)) s: \(due), succeeded \(latencies.count),"
      + " failed \(figures.failures), not started by the end \(figures.notStarted)")
  print(
    "connections: \(options.connections),"
      + " outstanding per connection: at most \(options.concurrency)")
  print("target calls/s: \(options.rate), open loop: latency runs from each call's scheduled start")
  print("calls/s: \(Int(Double(figures.endedInWindow) / seconds))")
  let latePercent = due > 0 ? Double(figures.lateStarts) * 100 / Double(due) : 0
  print(
    "calls started over 100 us after schedule: \(figures.lateStarts)"
      + " (\(roundedToHundredths(latePercent))%)")
  print(
    "latency us: p50 \(percentile(latencies, 0.50)) p90 \(percentile(latencies, 0.90))"
      + " p99 \(percentile(latencies, 0.99)) p999 \(percentile(latencies, 0.999))"
      + " max \(percentile(latencies, 1))")
  guard figures.endedInWindow > 0 else { return }
  let calls = Double(figures.endedInWindow)
  let clientPerCall = Double(after.client - before.client) / calls / 1_000
  let waitsPerCall = Double(after.clientWaits - before.clientWaits) / calls
  print(
    "client CPU per call us: \(roundedToHundredths(clientPerCall)),"
      + " waits per call: \(roundedToHundredths(waitsPerCall))")
  if let serverBefore = before.server, let serverAfter = after.server {
    let serverPerCall = Double(serverAfter - serverBefore) / calls / 1_000
    print("server CPU per call us: \(roundedToHundredths(serverPerCall))")
  }
}

extension Duration {
  /// The duration in whole nanoseconds.
  var nanoseconds: Int64 {
    components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
  }
}

func roundedToHundredths(_ value: Double) -> Double {
  (value * 100).rounded() / 100
}
