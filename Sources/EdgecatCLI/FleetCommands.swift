import EdgecatProto

/// `edgecat fleet`: the fleet view of the telemetry service, one row per device.
enum FleetCommands {
  static let noun = Noun(
    "fleet", "the fleet view: status, model and health of every device",
    verbs: [
      Verb(
        "status",
        "show each device's status, location, model version, p99 latency, accuracy and last"
          + " heartbeat, as an operations dashboard does",
        flags: [
          FlagSpec(
            "window", value: "DURATION",
            help: "metrics window ending now, such as 15m, 1h or 7d (default: the service's, 1h)")
        ],
        run: status)
    ])

  static func status(_ invocation: Invocation) async throws -> CommandOutput {
    var request = Edgecat_Telemetry_V1_GetFleetRequest()
    if let text = invocation.arguments["window"] {
      request.windowSeconds = Int64(try MetricsWindow.duration(text, flag: "window"))
    }
    let response: Edgecat_Telemetry_V1_GetFleetResponse = try await invocation.clients.call(
      .telemetry, "GetFleet", request)
    let devices = response.devices.map(TelemetryJSON.fleetDevice)
    guard invocation.settings.output == .table else { return .list(devices, columns: []) }

    let now = TimeText.now()
    let rows = response.devices.map { device in
      [
        protoEnumName(device.status), device.deviceID, device.location,
        device.modelFullName.isEmpty ? "-" : "\(device.modelFullName) v\(device.modelVersion)",
        device.recordCount > 0 ? NumberText.fixed(device.p99LatencyMs, digits: 1) + " ms" : "-",
        device.labelledCount > 0 ? NumberText.fixed(device.accuracy * 100, digits: 1) + "%" : "-",
        TimeText.ago(device.lastHeartbeatAt, now: now),
      ]
    }
    let table = TextTable(
      headers: ["STATUS", "DEVICE", "LOCATION", "MODEL", "P99", "ACCURACY", "LAST_SYNC"],
      rows: rows)
    invocation.console.writeOutput(table.render() + summary(response))
    return .printed(exitCode: 0)
  }

  /// Returns the line under the table, such as `4 devices: 3 running, 1 offline`.
  static func summary(_ response: Edgecat_Telemetry_V1_GetFleetResponse) -> String {
    var counts: [String: Int] = [:]
    for device in response.devices {
      counts[protoEnumName(device.status).lowercased(), default: 0] += 1
    }
    let order = ["running", "updating", "failed", "offline"]
    let parts = (order + counts.keys.filter { !order.contains($0) }.sorted()).compactMap { name in
      counts[name].map { "\($0) \(name)" }
    }
    let total = response.devices.count
    var text = "\n\(total) device\(total == 1 ? "" : "s")"
    if !parts.isEmpty { text += ": " + parts.joined(separator: ", ") }
    if response.offlineAfterSeconds > 0 {
      text += " (offline after \(response.offlineAfterSeconds) s without a heartbeat)"
    }
    return text + "\n"
  }
}
