import EdgecatProto

/// `edgecat metrics`: count, confidence, latency and accuracy per device and model version,
/// as a table or as a chart over time.
enum MetricsCommands {
  static let listColumns = [
    TableColumn("device_id", header: "DEVICE"), TableColumn("model_full_name", header: "MODEL"),
    TableColumn("model_version", header: "VERSION"), TableColumn("count"),
    TableColumn("mean_confidence", header: "MEAN_CONF", format: NumberText.column(digits: 3)),
    TableColumn("mean_latency_ms", header: "MEAN_MS", format: NumberText.column(digits: 1)),
    TableColumn("p99_latency_ms", header: "P99_MS", format: NumberText.column(digits: 1)),
    TableColumn("accuracy", format: NumberText.percent),
    TableColumn("labelled_count", header: "LABELLED"),
  ]
  static let filterFlags = [
    FlagSpec("device", value: "DEVICE_ID", help: "only this device"),
    FlagSpec("model", value: "CATALOG.SCHEMA.MODEL", help: "only this model"),
    FlagSpec("version", value: "N", help: "only this version of --model"),
  ]

  static let noun = Noun(
    "metrics", "latency, confidence and accuracy per device and model version",
    command: Verb(
      "metrics",
      "show count, mean confidence, mean and p99 latency and accuracy per device and model"
        + " version over a window, or chart them over time",
      flags: MetricsWindow.flags + filterFlags + [
        .toggle("chart", help: "draw p99 latency and mean confidence over time per device"),
        FlagSpec("svg", value: "PATH", help: "write the same chart to PATH as an SVG image"),
        FlagSpec(
          "buckets", value: "N",
          help: "time steps of --chart and --svg, 2 to 200, one GetMetrics call each"
            + " (default: 24)"),
      ],
      details: """
        p99 latency is within 1% relative error. Accuracy counts labelled records only.
        example:
          edgecat metrics --window 6h --model main.ml.defects --chart --svg latency.svg
        """,
      run: run),
    verbs: [
      Verb(
        "daily",
        "show mean and standard deviation of confidence and drift per model version"
          + " and day",
        flags: filterFlags + [
          FlagSpec("start-day", value: "YYYY-MM-DD", help: "first UTC day (default: 30 days ago)"),
          FlagSpec("end-day", value: "YYYY-MM-DD", help: "last UTC day (default: today)"),
        ],
        run: daily)
    ])

  static func run(_ invocation: Invocation) async throws -> CommandOutput {
    let arguments = invocation.arguments
    let window = try MetricsWindow(arguments, now: TimeText.now())
    var request = Edgecat_Telemetry_V1_GetMetricsRequest()
    try applyFilters(arguments, to: &request)
    if arguments.has("chart") || arguments.has("svg") {
      let buckets = try arguments.integer("buckets", in: 2...200) ?? 24
      let chart = try await MetricsChart.collect(
        request, window: window, buckets: buckets, clients: invocation.clients)
      return try await MetricsChart.output(chart, invocation: invocation)
    }
    guard !arguments.has("buckets") else {
      throw CLIError.usage("--buckets needs --chart or --svg; add one or drop --buckets")
    }
    if window.isExplicit {
      request.start = TimeText.format(window.start)
      request.end = TimeText.format(window.end)
    }
    let response: Edgecat_Telemetry_V1_GetMetricsResponse = try await invocation.clients.call(
      .telemetry, "GetMetrics", request)
    return .list(response.metrics.map(TelemetryJSON.metrics), columns: listColumns)
  }

  static func daily(_ invocation: Invocation) async throws -> CommandOutput {
    let arguments = invocation.arguments
    var request = Edgecat_Telemetry_V1_GetDailyMetricsRequest()
    var filters = Edgecat_Telemetry_V1_GetMetricsRequest()
    try applyFilters(arguments, to: &filters)
    request.deviceID = filters.deviceID
    request.modelFullName = filters.modelFullName
    request.modelVersion = filters.modelVersion
    for flag in ["start-day", "end-day"] {
      guard let text = arguments[flag] else { continue }
      guard TimeText.parse(text + " 00:00:00") != nil, text.count == 10 else {
        throw CLIError.usage("--\(flag) \"\(text)\" is invalid; use a UTC day as YYYY-MM-DD")
      }
    }
    request.startDay = arguments["start-day"] ?? ""
    request.endDay = arguments["end-day"] ?? ""
    let response: Edgecat_Telemetry_V1_GetDailyMetricsResponse = try await invocation.clients
      .call(.telemetry, "GetDailyMetrics", request)
    return .list(
      response.days.map(TelemetryJSON.daily),
      columns: [
        TableColumn("day"), TableColumn("model_full_name", header: "MODEL"),
        TableColumn("model_version", header: "VERSION"), TableColumn("count"),
        TableColumn("mean_confidence", header: "MEAN_CONF", format: NumberText.column(digits: 3)),
        TableColumn(
          "stddev_confidence", header: "STDDEV_CONF", format: NumberText.column(digits: 3)),
        TableColumn("drift", format: NumberText.column(digits: 2)),
      ])
  }

  /// Copies `--device`, `--model` and `--version` into `request`.
  static func applyFilters(
    _ arguments: ParsedArguments, to request: inout Edgecat_Telemetry_V1_GetMetricsRequest
  ) throws {
    request.deviceID = arguments["device"] ?? ""
    request.modelFullName = try arguments["model"].map(ModelCommands.modelName) ?? ""
    if let text = arguments["version"] {
      guard arguments.has("model") else {
        throw CLIError.usage("--version needs --model; add the model's full name")
      }
      guard let version = Int64(text), version > 0 else {
        throw CLIError.usage("--version \"\(text)\" is invalid; use a version number from 1")
      }
      request.modelVersion = version
    }
  }
}
