import EdgecatCore
import EdgecatProto
import EdgecatRPC
import Glibc

/// Ingest through the service: `streams` StreamInferenceLogs calls at once, each on its own
/// connection with its own device token, sending pre-encoded 1,000-record batches and keeping
/// up to `window` of them unacknowledged, as the agent does.
struct StreamBenchmark {
  static let path = "/edgecat.telemetry.v1.TelemetryService/StreamInferenceLogs"
  let target: Endpoint
  /// The folder that contains `bench-<i>.token` for device `bench-<i>`, one per stream.
  let tokenFolder: String
  let streams: Int
  let records: Int
  let window: Int
  let serverPID: Int32?
  /// Names the run in the records' epochs, so that runs over one database never collide.
  let label: String

  func run() async throws {
    let perStream = max(1, records / IngestBenchmark.batchSize / streams)
    let total = perStream * streams * IngestBenchmark.batchSize
    var work: [(token: String, batches: [[UInt8]])] = []
    let start = wallClockSeconds() - 86_400
    for stream in 0..<streams {
      var factory = RecordFactory(state: UInt64(stream + 1))
      let batches = (0...perStream).map { index in
        factory.batch(
          device: "bench-\(stream)", epoch: "\(label)-\(stream)",
          firstSeq: UInt64(index * IngestBenchmark.batchSize), count: IngestBenchmark.batchSize,
          startMilliseconds: Int64(start * 1000) + Int64(index * IngestBenchmark.batchSize) * 50,
          stepMilliseconds: 50, batchID: UInt64(index)
        ).serializedBytes()
      }
      work.append((readSmallFile("\(tokenFolder)/bench-\(stream).token"), batches))
    }

    let clients = (0..<streams).map { _ in RPCClient(endpoint: target) }
    defer { for client in clients { client.close() } }
    // The first batch of each stream warms the connection and the policy cache, unmeasured.
    try await each(clients, work) { client, stream in
      try await Self.send(stream.batches[0...0], client, stream.token, 1)
    }

    let serverBefore = serverPID.map(ServerCPU.seconds)
    let cpuBefore = Clock.cpu()
    let before = Clock.now()
    try await each(clients, work) { client, stream in
      try await Self.send(stream.batches.dropFirst(), client, stream.token, window)
    }
    let seconds = Clock.now() - before

    let client = (Clock.cpu() - cpuBefore) / Double(total) * 1e6
    var line =
      "service, \(streams) stream(s), window \(window): \(Int(Double(total) / seconds)) records/s"
      + " (\(total) in \(rounded(seconds)) s; client CPU \(rounded(client)) µs per record"
    if let serverPID, let serverBefore {
      let server = (ServerCPU.seconds(serverPID) - serverBefore) / Double(total) * 1e6
      line += ", server CPU \(rounded(server)) µs per record"
    }
    print(line + ")")
  }

  private func each(
    _ clients: [RPCClient], _ work: [(token: String, batches: [[UInt8]])],
    _ body: @escaping @Sendable (RPCClient, (token: String, batches: [[UInt8]])) async throws
      -> Void
  ) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
      for (client, stream) in zip(clients, work) {
        group.addTask { try await body(client, stream) }
      }
      try await group.waitForAll()
    }
  }

  /// Sends `batches` on one stream with up to `window` unacknowledged, and checks that every
  /// acknowledgement stored the whole batch.
  private static func send(
    _ batches: ArraySlice<[UInt8]>, _ client: RPCClient, _ token: String, _ window: Int
  ) async throws {
    let call = client.makeCall(
      method: path, metadata: Metadata([("authorization", "Bearer \(token)")]))
    var acknowledgements = call.responses.makeAsyncIterator()
    var next = batches.startIndex
    var acknowledged = 0
    while acknowledged < batches.count {
      while next < batches.endIndex, next - batches.startIndex - acknowledged < window {
        try await call.send(batches[next])
        next += 1
        if next == batches.endIndex { call.closeSend() }
      }
      guard let bytes = try await acknowledgements.next() else { break }
      let ack = try Edgecat_Telemetry_V1_IngestAck(serializedBytes: bytes)
      guard ack.code == 0, ack.stored == IngestBenchmark.batchSize else {
        fatalError("batch \(ack.batchID): code \(ack.code), stored \(ack.stored): \(ack.message)")
      }
      acknowledged += 1
    }
    let status = await call.status
    guard status.code == .ok, acknowledged == batches.count else {
      fatalError("stream ended with \(status.code): \(status.message)")
    }
  }
}

/// Reads a small text file, such as a token file, without its trailing white space.
func readSmallFile(_ path: String) -> String {
  guard let file = fopen(path, "r") else { fatalError("cannot read \(path): errno \(errno)") }
  defer { fclose(file) }
  var buffer = [UInt8](repeating: 0, count: 4096)
  let count = fread(&buffer, 1, buffer.count, file)
  var text = Substring(String(decoding: buffer[..<count], as: UTF8.self))
  while let last = text.last, last.isWhitespace { text = text.dropLast() }
  return String(text)
}

/// A process's CPU time, user plus system, from /proc/PID/stat.
enum ServerCPU {
  static func seconds(_ pid: Int32) -> Double {
    let line = readSmallFile("/proc/\(pid)/stat")
    // Fields after the command name, which is in parentheses and may contain spaces.
    let fields = line[line.lastIndex(of: ")")!...].split(separator: " ")
    let ticks = (Double(fields[12]) ?? 0) + (Double(fields[13]) ?? 0)
    return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
  }
}
