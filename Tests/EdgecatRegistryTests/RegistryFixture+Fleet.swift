import EdgecatProto
import EdgecatRPC
import EdgecatRegistry

/// Devices, deployments and simulated agents.
extension RegistryFixture {
  /// Registers a device as the admin and creates its `device:<id>` principal with a token,
  /// which it returns.
  @discardableResult
  func registerDevice(
    _ id: String, group: String = "line-1", labels: [String: String] = [:],
    region: String = "eu"
  ) async throws(RPCError) -> String {
    var request = Edgecat_Registry_V1_RegisterDeviceRequest()
    request.deviceID = id
    request.group = group
    request.labels = labels
    request.region = region
    request.location = "plant 7"
    let _: DeviceMessage = try await call("RegisterDevice", request, token: adminToken)
    var principal = Edgecat_Policy_V1_CreatePrincipalRequest()
    principal.name = "device:\(id)"
    principal.type = .servicePrincipal
    let _: Edgecat_Policy_V1_Principal = try await policy(
      "CreatePrincipal", principal, token: adminToken)
    var token = Edgecat_Policy_V1_CreateTokenRequest()
    token.principal = "device:\(id)"
    let created: Edgecat_Policy_V1_CreateTokenResponse = try await policy(
      "CreateToken", token, token: adminToken)
    return created.token
  }

  /// Creates `count` READY versions of main.ml.defects, each with a different artifact.
  func readyVersions(_ count: Int) async throws {
    for number in 1...count {
      try await createVersion()
      try await upload(artifactBytes(100 + number), to: Int64(number))
    }
  }

  /// Creates a deployment as alice, of a version or an alias, to the devices of `selector`.
  func deploy(
    version: Int64? = nil, alias: String? = nil, selector: DeviceSelector = DeviceSelector(),
    stages: [Int32] = [], soakMilliseconds: Int64 = 0, stageTimeoutMilliseconds: Int64 = 0,
    errorThreshold: Double? = nil, token: String? = nil
  ) async throws(RPCError) -> Edgecat_Registry_V1_Deployment {
    var request = Edgecat_Registry_V1_CreateDeploymentRequest()
    request.modelFullName = "main.ml.defects"
    if let version { request.version = version }
    if let alias { request.alias = alias }
    request.selector = selector
    var strategy = Edgecat_Registry_V1_RolloutStrategy()
    strategy.stagePercents = stages
    strategy.soakMs = soakMilliseconds
    strategy.stageTimeoutMs = stageTimeoutMilliseconds
    if let errorThreshold { strategy.errorThresholdPercent = errorThreshold }
    request.strategy = strategy
    return try await call("CreateDeployment", request, token: token ?? aliceToken)
  }

  func deployment(_ id: String) async throws(RPCError) -> Edgecat_Registry_V1_Deployment {
    var request = Edgecat_Registry_V1_GetDeploymentRequest()
    request.deploymentID = id
    return try await call("GetDeployment", request, token: aliceToken)
  }

  /// Polls the deployment until it reaches `state`, and returns it as last read.
  func waitForDeployment(_ id: String, state: Edgecat_Registry_V1_DeploymentState)
    async throws -> Edgecat_Registry_V1_Deployment
  {
    var last = try await deployment(id)
    _ = try await eventually {
      last = try await deployment(id)
      return last.state == state
    }
    return last
  }

  func desiredState(_ device: String) async throws(RPCError) -> Edgecat_Registry_V1_DesiredState {
    var request = Edgecat_Registry_V1_GetDesiredStateRequest()
    request.deviceID = device
    return try await call("GetDesiredState", request, token: adminToken)
  }

  /// The version of main.ml.defects the device should run, 0 for none.
  func desiredVersion(_ device: String) async throws(RPCError) -> Int64 {
    try await desiredState(device).models.first { $0.modelFullName == "main.ml.defects" }?
      .version ?? 0
  }

  func report(
    _ device: String, version: Int64, state: Edgecat_Registry_V1_ModelRunState,
    message: String = "", token: String
  ) async throws(RPCError) {
    var model = Edgecat_Registry_V1_ReportedModel()
    model.modelFullName = "main.ml.defects"
    model.version = version
    model.state = state
    model.message = message
    var request = Edgecat_Registry_V1_ReportDeviceStateRequest()
    request.deviceID = device
    request.models = [model]
    request.agentVersion = "test-agent"
    let _: Edgecat_Registry_V1_ReportDeviceStateResponse = try await call(
      "ReportDeviceState", request, token: token)
  }

  /// Opens a WatchDesiredState stream as the device.
  func watchDesiredState(_ device: String, token: String) -> DesiredStateWatch {
    var metadata = Metadata()
    metadata.add("authorization", "Bearer \(token)")
    let client = RPCClient(endpoint: registryEndpoint, group: group)
    let call: TypedCall<Edgecat_Registry_V1_WatchDesiredStateRequest, DesiredStateMessage> =
      client.makeCall(
        "/edgecat.registry.v1.ModelRegistryService/WatchDesiredState", metadata: metadata)
    return DesiredStateWatch(client: client, call: call, deviceID: device)
  }
}

typealias DesiredStateMessage = Edgecat_Registry_V1_DesiredState

/// An open WatchDesiredState call.
struct DesiredStateWatch: Sendable {
  let client: RPCClient
  let call: TypedCall<Edgecat_Registry_V1_WatchDesiredStateRequest, DesiredStateMessage>
  let deviceID: String

  /// Sends the request. Call it once before reading.
  func start() async throws {
    var request = Edgecat_Registry_V1_WatchDesiredStateRequest()
    request.deviceID = deviceID
    try await call.send(request)
    call.closeSend()
  }

  func close() {
    call.cancel()
    client.close()
  }
}

/// How a simulated agent responds to a new desired version.
enum AgentBehavior: Sendable {
  /// Reports the version RUNNING.
  case healthy
  /// Reports the version FAILED with a message.
  case failing
  /// Never reports.
  case silent
}

extension RegistryFixture {
  /// Runs an agent for `device` until cancelled: it watches its desired state and reports
  /// each new desired version of main.ml.defects as `behavior` sets.
  func runAgent(_ device: String, token: String, behavior: AgentBehavior) -> Task<Void, Never> {
    Task {
      let watch = watchDesiredState(device, token: token)
      defer { watch.close() }
      do {
        try await watch.start()
        var reported: Int64 = 0
        for try await state in watch.call.responses {
          let version =
            state.models.first { $0.modelFullName == "main.ml.defects" }?.version ?? 0
          guard version != 0, version != reported else { continue }
          reported = version
          switch behavior {
          case .healthy:
            try await report(device, version: version, state: .running, token: token)
          case .failing:
            try await report(
              device, version: version, state: .failed, message: "model load failed",
              token: token)
          case .silent:
            continue
          }
        }
      } catch {
        return
      }
    }
  }
}
