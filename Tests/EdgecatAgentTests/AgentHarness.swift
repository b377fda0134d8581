import EdgecatAgent
import EdgecatProto
import EdgecatRPC
import EdgecatTestSupport
import Glibc

/// A whole agent started in this process against the registry fixture and a fake telemetry,
/// and a client that plays the inference application over the local service.
struct AgentHarness {
  static let localToken = "local-token-for-tests"
  let folder: TemporaryDirectory
  let agent: Agent
  let telemetry: FakeTelemetry
  let telemetryServer: RPCServer
  let client: RPCClient

  /// Starts an agent on `folder`; `extraFlags` are added to its command line.
  static func start(
    registry: RegistryFixture, deviceToken: String, folder: TemporaryDirectory = .init(),
    extraFlags: [String] = []
  ) async throws -> AgentHarness {
    let telemetry = FakeTelemetry()
    let telemetryServer = RPCServer(
      services: [telemetry], configuration: ForwarderFixture.configuration)
    let telemetryPort = try telemetryServer.start(
      listeningOn: Endpoint(host: "127.0.0.1", port: 0))
    let options = try AgentOptions.parse(
      [
        "--device-id", RegistryFixture.deviceID, "--token-file", folder.file("device-token"),
        "--listen", "127.0.0.1:0", "--data-dir", folder.file("data"),
        "--registry-endpoint", "\(registry.registryEndpoint)",
        "--telemetry-endpoint", "127.0.0.1:\(telemetryPort)",
      ] + extraFlags, environment: [:])
    let agent = try await Agent.start(
      options: options, deviceToken: deviceToken, localToken: localToken)
    let client = RPCClient(endpoint: Endpoint(host: "127.0.0.1", port: agent.port))
    return AgentHarness(
      folder: folder, agent: agent, telemetry: telemetry, telemetryServer: telemetryServer,
      client: client)
  }

  var modelsFolder: String { folder.file("data/models") }

  var assignment: ModelAssignment { agent.manager.assignments.current }

  /// Waits until the application is assigned `version`, and returns the assignment.
  func waitForAssignment(version: Int64, after generation: UInt64 = 0) async -> ModelAssignment? {
    let found = await eventually {
      assignment.version == version && assignment.generation > generation
    }
    return found ? assignment : nil
  }

  /// Confirms an assignment as the application does, over the local service.
  func confirm(_ generation: UInt64, loaded: Bool = true, message: String = "")
    async throws(RPCError)
  {
    var request = Edgecat_Agent_V1_ModelLoadedRequest()
    request.generation = generation
    request.loaded = loaded
    request.message = message
    let _: Edgecat_Agent_V1_ModelLoadedResponse = try await call("ModelLoaded", request)
  }

  /// Opens WatchModel as the application does; read its `responses`.
  func watchModel() async throws
    -> TypedCall<Edgecat_Agent_V1_WatchModelRequest, ModelAssignment>
  {
    var metadata = Metadata()
    metadata.add("authorization", "Bearer \(Self.localToken)")
    let call: TypedCall<Edgecat_Agent_V1_WatchModelRequest, ModelAssignment> = client.makeCall(
      "/edgecat.agent.v1.AgentService/WatchModel", metadata: metadata)
    try await call.send(Edgecat_Agent_V1_WatchModelRequest())
    call.closeSend()
    return call
  }

  func call<Request: ProtoMessage, Response: ProtoMessage>(_ method: String, _ request: Request)
    async throws(RPCError) -> Response
  {
    var metadata = Metadata()
    metadata.add("authorization", "Bearer \(Self.localToken)")
    return try await client.unary(
      "/edgecat.agent.v1.AgentService/\(method)", request, metadata: metadata,
      timeout: .seconds(60))
  }

  /// Stops the agent and the fake telemetry; the folder stays for a restart.
  func stop() async {
    client.close()
    await agent.stop()
    await telemetryServer.shutdown()
  }
}
