import EdgecatAgent
import EdgecatProto
import EdgecatRPC
import EdgecatStore
import EdgecatTestSupport
import Glibc
import Testing

/// The `edgecat-agent` binary killed at its crash points and started again on the same data
/// folder.
@Suite("Agent crash points", .serialized)
struct CrashPointTests {
  /// A data folder and the flags of an agent process that uses it.
  struct Setup {
    let folder = TemporaryDirectory()
    let registryPort: Int
    let telemetryPort: Int

    var dataDirectory: String { folder.file("data") }

    func arguments() -> [String] {
      [
        "--device-id", RegistryFixture.deviceID, "--token-file", folder.file("device-token"),
        "--listen", "127.0.0.1:0", "--port-file", folder.file("port"),
        "--data-dir", dataDirectory, "--local-token-file", folder.file("local-token"),
        "--registry-endpoint", "127.0.0.1:\(registryPort)",
        "--telemetry-endpoint", "127.0.0.1:\(telemetryPort)",
      ]
    }

    /// Starts the agent, with `crashPoint` armed when given, and waits until it listens.
    func start(crashPoint: String? = nil) async throws -> AgentProcess {
      unlink(folder.file("port"))
      let process = try AgentProcess(
        arguments: arguments(),
        environment: crashPoint.map { ["EDGECAT_CRASH_POINT": $0] } ?? [:],
        logPath: folder.file("agent.log"))
      #expect(await eventually { !readText(folder.file("port")).isEmpty })
      return process
    }

    /// Records that the device ran `main.ml.defects` version 3, as a confirmed load leaves it.
    func seedRunningModel() async throws {
      _ = createDirectory(dataDirectory)
      let store = try await AgentDatabase.open(dataDirectory: dataDirectory)
      defer { store.close() }
      try await store.write { database in
        try database.execute(
          "INSERT INTO model_slots (slot, model_full_name, version, sha256, format,"
            + " desired_generation) VALUES ('running', 'main.ml.defects', 3, ?, 'onnx', 1)",
          .text(String(repeating: "c", count: 64)))
      }
    }

    /// Calls LogInference on the running agent with `count` records.
    func logInference(_ count: Int) async throws(RPCError) -> Edgecat_Agent_V1_LogInferenceResponse
    {
      let port = Int(readText(folder.file("port"))) ?? 0
      let client = RPCClient(endpoint: Endpoint(host: "127.0.0.1", port: port))
      defer { client.close() }
      var metadata = Metadata()
      metadata.add("authorization", "Bearer \(readText(folder.file("local-token")))")
      var request = Edgecat_Agent_V1_LogInferenceRequest()
      request.records = (0..<count).map { index in
        var record = Edgecat_Agent_V1_InferenceRecord()
        record.prediction = Double(index)
        return record
      }
      return try await client.unary(
        "/edgecat.agent.v1.AgentService/LogInference", request, metadata: metadata,
        timeout: .seconds(10))
    }

    /// Opens the spool after the agent exited.
    func spoolStatistics() async throws -> SpoolStatistics {
      let store = try await AgentDatabase.open(dataDirectory: dataDirectory)
      defer { store.close() }
      return try await Spool.open(store: store, maximumBytes: 1 << 30).statistics
    }
  }

  @Test("records committed before a crash survive it")
  func spoolCommitSurvives() async throws {
    let setup = Setup(registryPort: 1, telemetryPort: 1)
    defer { setup.folder.remove() }
    writeText("device-token", to: setup.folder.file("device-token"))
    try await setup.seedRunningModel()
    let process = try await setup.start(crashPoint: CrashPoint.afterSpoolCommit)

    await #expect(throws: RPCError.self) { _ = try await setup.logInference(5) }
    #expect(await process.waitForExit() == 137)
    let statistics = try await setup.spoolStatistics()
    #expect(statistics.records == 5)
  }

  @Test("forwarded records are sent again after a crash before the delete")
  func ackDeleteResends() async throws {
    let telemetry = FakeTelemetry()
    let server = RPCServer(services: [telemetry], configuration: ForwarderFixture.configuration)
    let port = try server.start(listeningOn: Endpoint(host: "127.0.0.1", port: 0))
    let setup = Setup(registryPort: 1, telemetryPort: port)
    defer { setup.folder.remove() }
    writeText("device-token", to: setup.folder.file("device-token"))
    try await setup.seedRunningModel()

    let crashing = try await setup.start(crashPoint: CrashPoint.beforeAckDelete)
    _ = try await setup.logInference(10)
    #expect(await crashing.waitForExit() == 137)
    #expect(telemetry.recordCount == 10)
    #expect(try await setup.spoolStatistics().records == 10)

    let restarted = try await setup.start()
    #expect(await eventually { telemetry.state.withLock { $0.duplicates } == 10 })
    // The agent deletes the batch after it reads the acknowledgement, so stopping it as soon
    // as telemetry counts the duplicates could cut that short.
    #expect(try await eventually { try await setup.spoolStatistics().records == 0 })
    #expect(await restarted.stop() == 0)
    #expect(try await setup.spoolStatistics().records == 0)
    #expect(telemetry.recordCount == 10)
    await server.shutdown()
  }

  @Test("download resumes after a crash")
  func downloadResumes() async throws {
    let registry = try await RegistryFixture.start()
    let token = try await registry.setUpDevice()
    let setup = Setup(registryPort: registry.registryEndpoint.port, telemetryPort: 1)
    defer { setup.folder.remove() }
    writeText(token, to: setup.folder.file("device-token"))
    let first = try await registry.addVersion(artifactBytes(600_000, seed: 1))
    let models = setup.dataDirectory + "/models/"

    let crashing = try await setup.start(crashPoint: CrashPoint.afterDownloadPartial)
    try await registry.deploy(first.version)
    #expect(await crashing.waitForExit() == 137)
    let partial = readFile(models + first.sha256 + ".partial")
    #expect(partial.count == 256 * 1024)

    let restarted = try await setup.start()
    #expect(await eventually { fileExists(models + first.sha256) })
    #expect(await restarted.stop() == 0)
    #expect(fileNames(in: models) == [first.sha256])
    #expect(restarted.log.contains("resuming download"))
    #expect(restarted.log.contains("offset=262144"))
    await registry.stop()
  }
}

/// Creates a folder with mode 0700; returns false when that failed for a reason other than
/// the folder existing.
func createDirectory(_ path: String) -> Bool {
  mkdir(path, 0o700) == 0 || errno == EEXIST
}
