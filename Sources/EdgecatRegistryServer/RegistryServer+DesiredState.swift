import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatRegistry
import EdgecatServiceKit

extension RegistryServer {
  /// How often a desired-state watch wakes without a change, to notice a server shutdown.
  static let watchCheckInterval: Duration = .milliseconds(500)

  var desiredStateMethods: [RPCMethod] {
    [
      .unary(Self.path("GetDesiredState")) {
        (request: Edgecat_Registry_V1_GetDesiredStateRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(
          caller, "GetDesiredState", nil, [("device_id", request.deviceID)]
        ) { () throws(RPCError) in
          try await requireDeviceReader(caller, request.deviceID)
          return desiredStateMessage(try await desiredState(request.deviceID))
        }
      },
      .serverStreaming(Self.path("WatchDesiredState")) {
        (
          request: Edgecat_Registry_V1_WatchDesiredStateRequest,
          writer: ResponseStreamWriter<Edgecat_Registry_V1_DesiredState>, context
        ) in
        let caller = try await caller(context)
        try await auditedRead(caller, "WatchDesiredState", nil, [("device_id", request.deviceID)]) {
          () throws(RPCError) in
          try await requireDeviceReader(caller, request.deviceID)
        }
        try await watch(request.deviceID, writer, context)
      },
      .unary(Self.path("ReportDeviceState")) {
        (request: Edgecat_Registry_V1_ReportDeviceStateRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(
          caller, "ReportDeviceState", nil,
          [("device_id", request.deviceID), ("models", "\(request.models.count)")]
        ) { audit throws(RPCError) in
          if caller.principal != "device:\(request.deviceID)" {
            try await requireAdmin(caller, to: "report the state of device \(request.deviceID)")
          }
          let report = try validated(request)
          var response = Edgecat_Registry_V1_ReportDeviceStateResponse()
          response.desiredGeneration = try await mappedAsync { () async throws(ServiceError) in
            try await engine.recordReport(report, audit: audit)
          }
          return response
        }
      },
      .unary(Self.path("ResendDesiredState")) {
        (request: Edgecat_Registry_V1_ResendDesiredStateRequest, context) in
        let caller = try await caller(context)
        return try await auditedForward(
          caller, "ResendDesiredState", nil, [("devices", "\(request.deviceIds.count)")]
        ) { () throws(RPCError) in
          if !caller.identity.callerIsService {
            try await requireAdmin(caller, to: "resend desired state")
          }
          for id in request.deviceIds {
            try mapped { () throws(ServiceError) in try DeviceRules.validateID(id) }
          }
          // An unregistered id would only come back as not sent, as if its device were offline.
          try await mappedAsync { () async throws(ServiceError) in
            try await engine.requireRegistered(request.deviceIds, field: "device_ids")
          }
          var response = Edgecat_Registry_V1_ResendDesiredStateResponse()
          response.sent = engine.desiredStates.resend(request.deviceIds)
          return response
        }
      },
    ]
  }

  private func desiredState(_ deviceID: String) async throws(RPCError) -> DesiredStateRecord {
    try await mappedAsync { () async throws(ServiceError) in
      try await engine.desiredState(of: deviceID)
    }
  }

  /// Sends the device's state now and after every change or resend. Ends when the client goes
  /// away, which fails a write or cancels the task, or when the server shuts down. Ends with
  /// UNAUTHENTICATED once the call's token is revoked or expires, which every tick checks.
  private func watch(
    _ deviceID: String, _ writer: ResponseStreamWriter<Edgecat_Registry_V1_DesiredState>,
    _ context: ServerContext
  ) async throws {
    let subscription = engine.desiredStates.subscribe(deviceID)
    let ticker = Task {
      while !Task.isCancelled {
        try? await Task.sleep(for: Self.watchCheckInterval)
        subscription.tick()
      }
    }
    defer {
      ticker.cancel()
      subscription.finish()
    }
    let initial = try await desiredState(deviceID)
    try await writer.write(desiredStateMessage(initial))
    var sent = initial.generation
    for await signal in subscription.signals {
      if context.isServerShuttingDown || Task.isCancelled { return }
      try await requireValidToken(context)
      guard signal != .tick else { continue }
      let state = try await desiredState(deviceID)
      if signal == .changed, state.generation == sent { continue }
      try await writer.write(desiredStateMessage(state))
      sent = state.generation
    }
  }

  /// Authenticates the call's token again, from the policy client's cache while its lease
  /// holds. Only UNAUTHENTICATED is thrown, so that an open watch outlives a policy service
  /// restart.
  private func requireValidToken(_ context: ServerContext) async throws(RPCError) {
    do {
      _ = try await authenticator.identify(context)
    } catch {
      if error.code == .unauthenticated { throw error }
    }
  }

  /// Returns the report with its model names folded to lower case, as deployments store them,
  /// so that a report matches its model whatever case the device used. A model named twice, an
  /// unknown state, a negative version or a message over 1000 characters is INVALID_ARGUMENT.
  private func validated(_ report: Edgecat_Registry_V1_ReportDeviceStateRequest) throws(RPCError)
    -> Edgecat_Registry_V1_ReportDeviceStateRequest
  {
    try mapped { () throws(ServiceError) in try DeviceRules.validateID(report.deviceID) }
    guard report.models.count <= DeviceRules.maxReportedModels else {
      throw RPCError(
        .invalidArgument,
        "models has \(report.models.count) entries; report at most"
          + " \(DeviceRules.maxReportedModels), the models the device runs or tries to run")
    }
    guard report.agentVersion.utf8.count <= DeviceRules.maxAgentVersionBytes else {
      throw RPCError(
        .invalidArgument,
        "agent_version has \(report.agentVersion.utf8.count) bytes; send a version such as"
          + " 1.4.2, at most \(DeviceRules.maxAgentVersionBytes) bytes")
    }
    var result = report
    var seen: Set<String> = []
    for index in result.models.indices {
      var model = result.models[index]
      let name = try modelName(model.modelFullName, field: "models.model_full_name")
      guard seen.insert(name).inserted else {
        throw RPCError(
          .invalidArgument,
          "models names \(name) more than once; report each model once, with the version it runs")
      }
      guard model.version >= 0 else {
        throw RPCError(
          .invalidArgument,
          "the version \(model.version) reported for \(name) is invalid; give 0 or more")
      }
      guard [.downloading, .running, .failed].contains(model.state) else {
        throw RPCError(
          .invalidArgument,
          "the state \(model.state.rawValue) reported for \(name) is invalid; use DOWNLOADING (1),"
            + " RUNNING (2) or FAILED (3)")
      }
      guard model.message.count <= 1000 else {
        throw RPCError(
          .invalidArgument,
          "the message reported for \(name) has \(model.message.count) characters; the maximum"
            + " is 1000")
      }
      model.modelFullName = name
      result.models[index] = model
    }
    return result
  }
}
