import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit
import EdgecatTelemetry

extension TelemetryServer {
  var livenessMethods: [RPCMethod] {
    [
      .unary(Self.path("Heartbeat")) {
        (request: Edgecat_Telemetry_V1_HeartbeatRequest, context) in
        let caller = try await caller(context)
        // A heartbeat's audit event is queued like a read's, because it only replaces the
        // device's last liveness row.
        return try await auditedRead(
          caller, "Heartbeat", nil, [("device_id", request.deviceID)]
        ) { () throws(RPCError) in
          try await heartbeat(request, caller)
        }
      },
      .unary(Self.path("GetFleet")) { (request: Edgecat_Telemetry_V1_GetFleetRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(caller, "GetFleet", table.fullName) {
          () throws(RPCError) in
          guard request.windowSeconds >= 0 else {
            throw RPCError(
              .invalidArgument,
              "window_seconds \(request.windowSeconds) is negative; use 0 for one hour or a"
                + " positive number of seconds")
          }
          let access = try await readAccess(caller)
          return try await fleet(
            window: request.windowSeconds == 0 ? 3600 : Double(request.windowSeconds), access,
            caller)
        }
      },
    ]
  }

  /// Stores a heartbeat of a registered device and returns when to send the next one.
  func heartbeat(_ request: Edgecat_Telemetry_V1_HeartbeatRequest, _ caller: Caller)
    async throws(RPCError) -> Edgecat_Telemetry_V1_HeartbeatResponse
  {
    try await requireDeviceWriter(caller, request.deviceID)
    let known = try await devices.devices([request.deviceID], requestID: caller.requestID)
    guard known[request.deviceID] != nil else {
      throw RPCError(
        .notFound,
        "device \(request.deviceID) is not registered; register it with `edgecat device"
          + " register` first")
    }
    let receivedAt = engine.clock()
    try await mappedAsync { () async throws(ServiceError) in
      try await engine.recordHeartbeat(request, receivedAt: receivedAt)
    }
    var response = Edgecat_Telemetry_V1_HeartbeatResponse()
    response.receivedAtMs = Int64((receivedAt * 1000).rounded(.down))
    response.nextHeartbeatMs = settings.heartbeatIntervalMilliseconds
    response.principal = caller.principal
    return response
  }

  /// Throws PERMISSION_DENIED unless the caller may report for `deviceID`: the device's own
  /// principal, a member of edgecat-services or an admin.
  func requireDeviceWriter(_ caller: Caller, _ deviceID: String) async throws(RPCError) {
    guard !deviceID.isEmpty else {
      throw RPCError(.invalidArgument, "device_id is empty; name the device that reports")
    }
    if let own = ownDevice(caller) {
      guard own == deviceID else {
        throw RPCError(
          .permissionDenied,
          "\(caller.principal) may report only for device \(own), not for device \(deviceID)")
      }
      return
    }
    guard !caller.identity.callerIsService || caller.identity.caller != caller.principal else {
      return
    }
    try await requireAdmin(caller, to: "report for device \(deviceID)")
  }

  /// The fleet view over the last `window` seconds. A reader with a row filter or masks gets
  /// only the devices that have records it may read, in the window or before it, so that an
  /// offline device whose rows the reader sees stays in its view.
  func fleet(window: Double, _ access: ReadAccess, _ caller: Caller) async throws(RPCError)
    -> Edgecat_Telemetry_V1_GetFleetResponse
  {
    let inventory = try await devices.all(requestID: caller.requestID)
    let now = engine.clock()
    let heartbeats = try await mappedAsync { () async throws(ServiceError) in
      try await engine.heartbeats()
    }
    let metrics = try await windowMetrics(
      start: now - window, end: now, filter: MetricsFilter(), access)
    var byDevice: [String: [Edgecat_Telemetry_V1_DeviceMetrics]] = [:]
    for entry in metrics.metrics { byDevice[entry.deviceID, default: []].append(entry) }
    var seenBefore: Set<String> = []
    let idle = Set(inventory.keys).subtracting(byDevice.keys)
    if !access.unrestricted && !idle.isEmpty {
      seenBefore = try await mappedAsync { () async throws(ServiceError) in
        try await queries.withView(of: hostedTable, access.access, for: access.identity) {
          database, source throws(ServiceError) in
          try AlertSubjectVisibility.devicesWithRows(database, source: source, among: idle)
        }
      }
    }
    var response = Edgecat_Telemetry_V1_GetFleetResponse()
    response.offlineAfterSeconds = Int64(settings.offlineAfterSeconds)
    for id in inventory.keys.sorted() {
      guard let device = inventory[id] else { continue }
      let deviceMetrics = byDevice[id] ?? []
      if !access.unrestricted && deviceMetrics.isEmpty && !seenBefore.contains(id) { continue }
      var entry = Edgecat_Telemetry_V1_FleetDevice()
      entry.deviceID = id
      entry.location = device.location
      entry.region = device.region
      entry.group = device.group
      entry.agentVersion = device.agentVersion
      let heartbeat = heartbeats[id]
      entry.status = status(device, heartbeat: heartbeat, now: now)
      if let heartbeat {
        entry.lastHeartbeatAt = DatetimeText.format(heartbeat.receivedAt)
        entry.spoolBytes = heartbeat.spoolBytes
        entry.spoolRecords = heartbeat.spoolRecords
        entry.spoolFull = heartbeat.spoolFull
        if entry.agentVersion.isEmpty { entry.agentVersion = heartbeat.agentVersion }
      }
      if let model = device.reportedModels.first {
        entry.modelFullName = model.modelFullName
        entry.modelVersion = model.version
      }
      // The figures belong to the reported version only, so a version that failed to load
      // shows none, never those of the version the device went back to. A device that
      // reported no model shows the figures of its first model version with records.
      let current =
        device.reportedModels.isEmpty
        ? deviceMetrics.first
        : deviceMetrics.first {
          $0.modelFullName == entry.modelFullName && $0.modelVersion == entry.modelVersion
        }
      if let current {
        entry.p99LatencyMs = current.p99LatencyMs
        entry.accuracy = current.accuracy
        entry.labelledCount = current.labelledCount
        entry.recordCount = current.count
      }
      entry.lastRecordAt = heartbeat?.lastRecordAt ?? ""
      response.devices.append(entry)
    }
    return response
  }

  /// Offline without a heartbeat for the offline threshold; otherwise Failed when a reported
  /// model failed, Updating while one downloads, else Running.
  func status(_ device: RegistryDevice, heartbeat: HeartbeatRecord?, now: Double)
    -> Edgecat_Telemetry_V1_DeviceStatus
  {
    guard let heartbeat, now - heartbeat.receivedAt < settings.offlineAfterSeconds else {
      return .offline
    }
    if device.reportedModels.contains(where: { $0.state == .failed }) { return .failed }
    if device.reportedModels.contains(where: { $0.state == .downloading }) { return .updating }
    return .running
  }
}
