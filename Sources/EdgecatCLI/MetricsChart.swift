import EdgecatProto

/// p99 latency and mean confidence of each device over consecutive sub-windows, from one
/// GetMetrics call per sub-window.
struct MetricsChart {
  /// One sub-window's figures for one device, over every model version it ran there.
  struct Point {
    var count: Int64
    /// The highest p99 of the device's model versions in the sub-window, in milliseconds.
    var p99LatencyMs: Double
    /// Mean confidence weighted by each model version's record count.
    var meanConfidence: Double
  }

  var start: Double
  var bucketSeconds: Double
  var bucketCount: Int
  /// Points by device id; nil where a device had no records.
  var series: [(deviceID: String, points: [Point?])]

  /// Calls GetMetrics for each of `buckets` equal sub-windows of `window`, in order.
  static func collect(
    _ base: Edgecat_Telemetry_V1_GetMetricsRequest, window: MetricsWindow, buckets: Int,
    clients: ServiceClients
  ) async throws -> MetricsChart {
    let step = (window.end - window.start) / Double(buckets)
    var points: [String: [Point?]] = [:]
    for index in 0..<buckets {
      var request = base
      request.start = TimeText.format(window.start + step * Double(index))
      request.end = TimeText.format(window.start + step * Double(index + 1))
      let response: Edgecat_Telemetry_V1_GetMetricsResponse = try await clients.call(
        .telemetry, "GetMetrics", request)
      for metrics in response.metrics where metrics.count > 0 {
        var series = points[metrics.deviceID] ?? Array(repeating: nil, count: buckets)
        var point = series[index] ?? Point(count: 0, p99LatencyMs: 0, meanConfidence: 0)
        let total = point.count + metrics.count
        point.meanConfidence =
          (point.meanConfidence * Double(point.count)
            + metrics.meanConfidence * Double(metrics.count)) / Double(total)
        point.p99LatencyMs = max(point.p99LatencyMs, metrics.p99LatencyMs)
        point.count = total
        series[index] = point
        points[metrics.deviceID] = series
      }
    }
    return MetricsChart(
      start: window.start, bucketSeconds: step, bucketCount: buckets,
      series: points.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
  }

  /// The chart as one JSON array: each device with its points, null where it had no records.
  var json: JSONValue {
    .array(
      series.map { device in
        .object([
          ("device_id", .string(device.deviceID)),
          (
            "points",
            .array(
              device.points.enumerated().map { index, point in
                .object([
                  ("start", .string(TimeText.format(start + bucketSeconds * Double(index)))),
                  ("end", .string(TimeText.format(start + bucketSeconds * Double(index + 1)))),
                  ("count", .integer(point?.count ?? 0)),
                  ("p99_latency_ms", point.map { .real($0.p99LatencyMs) } ?? .null),
                  ("mean_confidence", point.map { .real($0.meanConfidence) } ?? .null),
                ])
              })
          ),
        ])
      })
  }

  /// Writes `--svg` when given, and prints the chart for `--chart`.
  static func output(_ chart: MetricsChart, invocation: Invocation) async throws -> CommandOutput {
    let arguments = invocation.arguments
    if let path = arguments["svg"] {
      let file = try await ArtifactFile.open(writing: path, from: 0)
      try await file.write(Array(chart.svg().utf8))
      try await file.sync()
      if !arguments.has("chart") {
        return .message(chart.json, text: "wrote \(path)")
      }
    }
    guard invocation.settings.output == .table else { return .message(chart.json, text: "") }
    invocation.console.writeOutput(chart.text())
    if let path = arguments["svg"] { invocation.console.writeOutput("wrote \(path)\n") }
    return .printed(exitCode: 0)
  }
}
