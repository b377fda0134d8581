// edgecat-bench: drives unary EchoService/Get calls, or with --method check PolicyService/Check
// calls, over N connections with M calls outstanding on each. With --rate it runs an open-loop
// load instead: calls start on a fixed schedule, at most M outstanding on each connection, and
// latency runs from each call's scheduled start. It prints calls/s, latency percentiles and,
// given the server's pid, the server's CPU time per call read from /proc.
import EdgecatEcho
import EdgecatProto
import EdgecatRPC
import Glibc
import Synchronization

struct Options {
  var target = Endpoint(host: "127.0.0.1", port: 7499)
  var connections = 4
  var concurrency = 64
  var duration: Duration = .seconds(10)
  var warmup: Duration = .seconds(2)
  var payloadBytes = 0
  var serverPID: Int32?
  var method = "echo"
  var tokenFile: String?
  var principal: String?
  var privilege: String?
  var securable: String?
  var rate = 0
}

let usage = """
  usage: edgecat-bench --target HOST:PORT [options]

    --target HOST:PORT   server running edgecat.testing.v1.EchoService, or with
                         --method check edgecat.policy.v1.PolicyService
    --connections N      HTTP/2 connections (default 4)
    --concurrency M      calls outstanding on each connection, at most M with --rate
                         (default 64)
    --duration SECONDS   measured time (default 10)
    --warmup SECONDS     unmeasured time before it (default 2)
    --payload BYTES      request payload size (default 0)
    --server-pid PID     server process whose CPU time per call is printed
    --rate N             open-loop load of N calls/s over all connections, evenly paced,
                         with latency from each call's scheduled start (default 0: each
                         connection keeps --concurrency calls outstanding, with latency
                         from each call's start)
    --method echo|check  EchoService/Get (default) or PolicyService/Check

  with --method check, all of:
    --token-file PATH    file holding the bearer token sent as "authorization: Bearer <token>"
    --principal NAME     CheckRequest.principal
    --privilege P        CheckRequest.privilege, such as USE_CATALOG
    --securable NAME     CheckRequest.securable_full_name

  """

func fail(_ message: String) -> Never {
  let text = Array("edgecat-bench: \(message)\n\(usage)".utf8)
  _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
  exit(2)
}

func parseOptions() -> Options {
  var options = Options()
  var arguments = CommandLine.arguments.dropFirst()
  while let flag = arguments.popFirst() {
    if flag == "--help" || flag == "-h" {
      print(usage, terminator: "")
      exit(0)
    }
    guard let value = arguments.popFirst() else { fail("\(flag) needs a value") }
    func number() -> Int {
      guard let number = Int(value), number >= 0 else {
        fail("\(flag) \"\(value)\" is not a count")
      }
      return number
    }
    switch flag {
    case "--target":
      guard let endpoint = Endpoint(parsing: value) else {
        fail("--target \"\(value)\" is not HOST:PORT")
      }
      options.target = endpoint
    case "--connections": options.connections = max(1, number())
    case "--concurrency": options.concurrency = max(1, number())
    case "--duration": options.duration = .seconds(number())
    case "--warmup": options.warmup = .seconds(number())
    case "--payload": options.payloadBytes = number()
    case "--server-pid": options.serverPID = Int32(number())
    case "--rate": options.rate = number()
    case "--method":
      guard value == "echo" || value == "check" else {
        fail("--method \"\(value)\" is not echo or check")
      }
      options.method = value
    case "--token-file": options.tokenFile = value
    case "--principal": options.principal = value
    case "--privilege": options.privilege = value
    case "--securable": options.securable = value
    default: fail("unknown flag \(flag)")
    }
  }
  if options.rate > 0 && options.duration == .zero {
    fail("--rate needs a --duration of at least 1 second")
  }
  if options.method == "check" {
    guard options.tokenFile != nil, options.principal != nil, options.privilege != nil,
      options.securable != nil
    else {
      fail("--method check needs --token-file, --principal, --privilege and --securable")
    }
  }
  return options
}

/// Reads the first line of a file, at most 4095 bytes; returns nil when it cannot be read.
func firstLine(_ path: String) -> String? {
  guard let file = fopen(path, "r") else { return nil }
  defer { fclose(file) }
  var buffer = [UInt8](repeating: 0, count: 4096)
  let read = buffer.withUnsafeMutableBufferPointer { bytes in
    bytes.withMemoryRebound(to: CChar.self) { fgets($0.baseAddress, Int32($0.count), file) }
  }
  guard read != nil else { return nil }
  let length = buffer.firstIndex(of: 0) ?? buffer.count
  return String(decoding: buffer[..<length], as: UTF8.self)
}

/// Reads the token on the first line of a token file and trims the whitespace around it.
func readToken(_ path: String) -> String {
  guard let line = firstLine(path) else { fail("cannot read --token-file \(path)") }
  let whitespace: Set<Character> = [" ", "\t", "\n", "\r"]
  let token = String(
    line.drop(while: { whitespace.contains($0) }).reversed()
      .drop(while: { whitespace.contains($0) }).reversed())
  guard !token.isEmpty else { fail("--token-file \(path) is empty") }
  return token
}

/// CPU time (user + system) of a process in nanoseconds, from /proc/PID/stat.
func cpuNanoseconds(pid: Int32) -> UInt64? {
  guard let line = firstLine("/proc/\(pid)/stat") else { return nil }
  guard let close = line.lastIndex(of: ")") else { return nil }
  let fields = line[line.index(after: close)...].split(separator: " ")
  // After the command name: state is field 3, utime field 14 and stime field 15 of the stat line.
  guard fields.count > 12, let user = UInt64(fields[11]), let system = UInt64(fields[12]) else {
    return nil
  }
  let ticks = UInt64(sysconf(Int32(_SC_CLK_TCK)))
  return (user + system) * 1_000_000_000 / ticks
}

func percentile<Sample: BinaryInteger>(_ sorted: [Sample], _ fraction: Double) -> Double {
  guard !sorted.isEmpty else { return 0 }
  let index = min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)
  return Double(sorted[max(0, index)]) / 1_000
}

let options = parseOptions()
let encoded: [UInt8]
let method: String
var metadata = Metadata()
if options.method == "check" {
  var check = Edgecat_Policy_V1_CheckRequest()
  check.principal = options.principal ?? ""
  check.privilege = options.privilege ?? ""
  check.securableFullName = options.securable ?? ""
  encoded = check.serializedBytes()
  method = "/edgecat.policy.v1.PolicyService/Check"
  metadata.add("authorization", "Bearer \(readToken(options.tokenFile ?? ""))")
} else {
  var request = Edgecat_Testing_V1_EchoRequest()
  request.text = "bench"
  request.payload = [UInt8](repeating: 0x61, count: options.payloadBytes)
  encoded = request.serializedBytes()
  method = "/edgecat.testing.v1.EchoService/Get"
}
let callMetadata = metadata
let clients = (0..<options.connections).map { _ in RPCClient(endpoint: options.target) }

// One call before the run, so a check that fails or is denied is reported, not measured.
if options.method == "check" {
  do {
    let response = try await clients[0].unary(
      method: method, request: encoded, metadata: callMetadata, timeout: .seconds(5))
    let decision = try Edgecat_Policy_V1_CheckResponse(serializedBytes: response.message)
    print("check: allowed \(decision.allowed), reason \"\(decision.reason)\"")
  } catch {
    print("edgecat-bench: the first Check call failed: \(error)")
    exit(1)
  }
}

if options.rate > 0 {
  await runPaced(
    options: options, clients: clients, method: method, request: encoded,
    metadata: callMetadata)
  exit(0)
}

let clock = ContinuousClock()
let start = clock.now
let measureFrom = start + options.warmup
let stopAt = measureFrom + options.duration
let failures = Atomic<Int>(0)

let serverCPUBefore = Mutex<UInt64?>(nil)
let perTask: [[UInt64]] = await withTaskGroup(of: [UInt64].self) { group in
  for client in clients {
    for _ in 0..<options.concurrency {
      group.addTask {
        var latencies: [UInt64] = []
        latencies.reserveCapacity(100_000)
        while true {
          let began = clock.now
          if began >= stopAt { break }
          do {
            _ = try await client.unary(method: method, request: encoded, metadata: callMetadata)
          } catch {
            failures.add(1, ordering: .relaxed)
            continue
          }
          if began >= measureFrom {
            let elapsed = clock.now - began
            latencies.append(
              UInt64(elapsed.components.attoseconds / 1_000_000_000)
                + UInt64(elapsed.components.seconds) * 1_000_000_000)
          }
        }
        return latencies
      }
    }
  }
  group.addTask {
    try? await clock.sleep(until: measureFrom)
    if let pid = options.serverPID { serverCPUBefore.withLock { $0 = cpuNanoseconds(pid: pid) } }
    return []
  }
  var all: [[UInt64]] = []
  for await latencies in group { all.append(latencies) }
  return all
}
let serverCPUAfter = options.serverPID.flatMap { cpuNanoseconds(pid: $0) }

let latencies = perTask.flatMap { $0 }.sorted()
let seconds = Double(options.duration.components.seconds)
let rate = Double(latencies.count) / seconds
print(
  "calls: \(latencies.count) in \(Int(seconds)) s, failures: \(failures.load(ordering: .relaxed))")
print("connections: \(options.connections), outstanding per connection: \(options.concurrency)")
print("calls/s: \(Int(rate))")
print(
  "latency us: p50 \(percentile(latencies, 0.50)) p90 \(percentile(latencies, 0.90))"
    + " p99 \(percentile(latencies, 0.99)) p999 \(percentile(latencies, 0.999))")
if let before = serverCPUBefore.withLock({ $0 }), let after = serverCPUAfter, !latencies.isEmpty {
  let perCall = Double(after - before) / Double(latencies.count) / 1_000
  print("server CPU per call us: \(perCall)")
}
