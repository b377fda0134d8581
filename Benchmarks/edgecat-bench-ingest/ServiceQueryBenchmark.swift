import EdgecatProto
import EdgecatRPC

/// Times reads through the service: GetMetrics for the last hour and the seed document's
/// one-hour and per-day monitoring queries through Query, each five times.
struct ServiceQueryBenchmark {
  static let service = "/edgecat.telemetry.v1.TelemetryService/"
  static let hourQuery = """
    SELECT device_id, model_version, COUNT(*) as predictions, AVG(confidence) as \
    avg_confidence, AVG(latency_ms) as avg_latency, PERCENTILE(latency_ms, 0.99) as \
    p99_latency FROM production.edge_metrics.inference_logs WHERE timestamp > \
    current_timestamp() - INTERVAL 1 HOUR GROUP BY device_id, model_version;
    """
  static let driftQuery = """
    SELECT date(timestamp) as day, AVG(confidence) as avg_confidence, STDDEV(confidence) as \
    std_confidence FROM production.edge_metrics.inference_logs GROUP BY day ORDER BY day \
    DESC LIMIT 30;
    """
  let target: Endpoint
  let tokenFile: String
  let serverPID: Int32?

  func run() async throws {
    let client = RPCClient(endpoint: target)
    defer { client.close() }
    let metadata = Metadata([("authorization", "Bearer \(readSmallFile(tokenFile))")])
    try await waitUntilReady(client, metadata)
    try await time("GetMetrics, last hour") {
      let response: Edgecat_Telemetry_V1_GetMetricsResponse = try await client.unary(
        Self.service + "GetMetrics", Edgecat_Telemetry_V1_GetMetricsRequest(),
        metadata: metadata)
      return "\(response.metrics.count) rows, from rollups: \(response.fromRollups)"
    }
    try await time("Query, seed one-hour query") {
      try await query(client, metadata, Self.hourQuery)
    }
    try await time("Query, seed per-day drift query") {
      try await query(client, metadata, Self.driftQuery)
    }
  }

  /// Calls GetMetrics until the service has its table, for up to 30 s. The calls also warm
  /// the service's caches, unmeasured.
  private func waitUntilReady(_ client: RPCClient, _ metadata: Metadata) async throws {
    let deadline = Clock.now() + 30
    while true {
      let status: RPCError
      do {
        let _: Edgecat_Telemetry_V1_GetMetricsResponse = try await client.unary(
          Self.service + "GetMetrics", Edgecat_Telemetry_V1_GetMetricsRequest(),
          metadata: metadata)
        return
      } catch {
        status = error
      }
      guard status.code == .unavailable, Clock.now() < deadline else { throw status }
      try await Task.sleep(for: .milliseconds(100))
    }
  }

  private func query(_ client: RPCClient, _ metadata: Metadata, _ sql: String) async throws
    -> String
  {
    var request = Edgecat_Telemetry_V1_QueryRequest()
    request.sql = sql
    let call = client.makeCall(
      Self.service + "Query", requestType: Edgecat_Telemetry_V1_QueryRequest.self,
      responseType: Edgecat_Telemetry_V1_QueryResponse.self, metadata: metadata)
    try await call.send(request)
    call.closeSend()
    var rows = 0
    for try await page in call.responses { rows += page.rows.count }
    let status = await call.status
    guard status.code == .ok else { fatalError("Query ended with \(status.code): \(status.message)") }
    return "\(rows) rows"
  }

  /// Runs `body` five times and prints its result, the fastest, median and slowest run in
  /// milliseconds and the server's CPU per call, or the first failure.
  private func time(_ label: String, _ body: () async throws -> String) async throws {
    var runs: [Double] = []
    var result = ""
    let serverBefore = serverPID.map(ServerCPU.seconds)
    for _ in 0..<5 {
      let before = Clock.now()
      do {
        result = try await body()
      } catch {
        // A call past the service's time cap fails; the other calls are still timed.
        print("\(label): failed after \(rounded((Clock.now() - before) * 1000)) ms: \(error)")
        return
      }
      runs.append((Clock.now() - before) * 1000)
    }
    runs.sort()
    var line =
      "\(label): \(result); fastest \(rounded(runs[0])) ms, median \(rounded(runs[2])) ms,"
      + " slowest \(rounded(runs[4])) ms"
    if let serverPID, let serverBefore {
      let server = (ServerCPU.seconds(serverPID) - serverBefore) / 5 * 1000
      line += ", server CPU \(rounded(server)) ms per call"
    }
    print(line)
  }
}
