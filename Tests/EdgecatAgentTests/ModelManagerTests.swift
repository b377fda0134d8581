import EdgecatAgent
import EdgecatCrypto
import EdgecatProto
import EdgecatRPC
import Glibc
import Synchronization
import Testing

/// The model manager inside a whole agent, against a real registry. Serialized, because the
/// crash-point handler is global to the process.
@Suite("Model manager", .serialized)
struct ModelManagerTests {
  /// Three download chunks of 256 KiB, the last one partly filled.
  static let artifactSize = 600_000

  /// Starts a registry and an agent, deploys a first version of the model and returns once
  /// the application confirmed it and the device reported it RUNNING.
  static func startRunningFirstVersion() async throws
    -> (RegistryFixture, AgentHarness, (version: Int64, sha256: String))
  {
    let registry = try await RegistryFixture.start()
    let token = try await registry.setUpDevice()
    let harness = try await AgentHarness.start(registry: registry, deviceToken: token)
    let first = try await registry.addVersion(artifactBytes(1000, seed: 1))
    try await registry.deploy(first.version)
    let assigned = try #require(await harness.waitForAssignment(version: 1))
    try await harness.confirm(assigned.generation)
    #expect(try await eventually { try await registry.reported()?.state == .running })
    return (registry, harness, first)
  }

  @Test("downloads, verifies and swaps in each version")
  func downloadAndSwap() async throws {
    let registry = try await RegistryFixture.start()
    let token = try await registry.setUpDevice()
    let harness = try await AgentHarness.start(registry: registry, deviceToken: token)
    let first = try await registry.addVersion(artifactBytes(Self.artifactSize, seed: 1))
    let second = try await registry.addVersion(artifactBytes(Self.artifactSize, seed: 2))

    let watch = try await harness.watchModel()
    var assignments = watch.responses.makeAsyncIterator()
    let initial = try #require(try await assignments.next())
    #expect(initial.generation == 0)
    #expect(initial.modelFullName.isEmpty)

    try await registry.deploy(first.version)
    let assignedFirst = try #require(await harness.waitForAssignment(version: 1))
    #expect(try await assignments.next() == assignedFirst)
    watch.cancel()
    #expect(assignedFirst.sha256 == first.sha256)
    #expect(assignedFirst.path == harness.modelsFolder + "/" + first.sha256)
    #expect(assignedFirst.modelFullName == RegistryFixture.model)
    #expect(try await registry.reported()?.state == .downloading)
    try await harness.confirm(assignedFirst.generation)
    #expect(try await eventually { try await registry.reported()?.state == .running })
    #expect(harness.agent.manager.runningModel?.version == 1)

    try await registry.deploy(second.version)
    let assignedSecond = try #require(
      await harness.waitForAssignment(version: 2, after: assignedFirst.generation))
    try await harness.confirm(assignedSecond.generation)
    #expect(
      try await eventually {
        let reported = try await registry.reported()
        return reported?.version == 2 && reported?.state == .running
      })
    let slots = await harness.agent.manager.currentSlots
    #expect(slots.running?.version == 2)
    #expect(slots.previous?.version == 1)
    #expect(slots.candidate == nil)
    #expect(fileNames(in: harness.modelsFolder) == [first.sha256, second.sha256].sorted())

    // Records are attributed to the version now running.
    var log = Edgecat_Agent_V1_LogInferenceRequest()
    log.records = [Edgecat_Agent_V1_InferenceRecord()]
    let response: Edgecat_Agent_V1_LogInferenceResponse = try await harness.call(
      "LogInference", log)
    #expect(response.acks.first?.modelVersion == 2)
    await harness.stop()
    harness.folder.remove()
    await registry.stop()
  }

  @Test("re-registered device reports its model again")
  func reportAfterReregistration() async throws {
    let (registry, harness, first) = try await Self.startRunningFirstVersion()

    var deregister = Edgecat_Registry_V1_DeregisterDeviceRequest()
    deregister.deviceID = RegistryFixture.deviceID
    let _: Edgecat_Registry_V1_DeregisterDeviceResponse = try await registry.registry(
      "DeregisterDevice", deregister)
    var register = Edgecat_Registry_V1_RegisterDeviceRequest()
    register.deviceID = RegistryFixture.deviceID
    register.group = "line-1"
    register.region = "eu"
    let _: Edgecat_Registry_V1_Device = try await registry.registry("RegisterDevice", register)
    #expect(try await registry.reported() == nil)
    try await registry.deploy(first.version)
    #expect(
      try await eventually {
        let reported = try await registry.reported()
        return reported?.version == 1 && reported?.state == .running
      })
    await harness.stop()
    harness.folder.remove()
    await registry.stop()
  }

  @Test("second desired model reported failed")
  func secondModelFails() async throws {
    let (registry, harness, _) = try await Self.startRunningFirstVersion()

    // "main.ml.counts" sorts before "main.ml.defects", but the agent keeps the model it runs.
    try await registry.createModel("counts")
    let other = try await registry.addVersion(artifactBytes(1000, seed: 2), model: "main.ml.counts")
    let deployment = try await registry.deploy(other.version, model: "main.ml.counts")
    var get = Edgecat_Registry_V1_GetDeploymentRequest()
    get.deploymentID = deployment.deploymentID
    // The stage timeout is 10 minutes, so a failure within the wait comes from the report.
    var message = ""
    #expect(
      try await eventually {
        let current: Edgecat_Registry_V1_Deployment = try await registry.registry(
          "GetDeployment", get)
        message = current.devices.first?.message ?? ""
        return current.devices.first?.state == .failed
      })
    #expect(message.contains("main.ml.counts is not installed"), "\(message)")
    let reported = try await registry.device().reportedModels
    #expect(reported.map(\.modelFullName) == ["main.ml.defects", "main.ml.counts"])
    #expect(reported.map(\.state) == [.running, .failed])
    await harness.stop()
    harness.folder.remove()
    await registry.stop()
  }

  @Test("records reach telemetry with the running version")
  func recordsForwarded() async throws {
    let (registry, harness, _) = try await Self.startRunningFirstVersion()

    var log = Edgecat_Agent_V1_LogInferenceRequest()
    log.records = (0..<3).map { index in
      var record = Edgecat_Agent_V1_InferenceRecord()
      record.prediction = Double(index)
      return record
    }
    let response: Edgecat_Agent_V1_LogInferenceResponse = try await harness.call(
      "LogInference", log)
    #expect(await eventually { harness.telemetry.recordCount == 3 })
    let records = harness.telemetry.state.withLock { Array($0.records.values) }
    #expect(records.allSatisfy { $0.deviceID == RegistryFixture.deviceID })
    #expect(records.allSatisfy { $0.modelFullName == RegistryFixture.model })
    #expect(records.allSatisfy { $0.modelVersion == 1 })
    #expect(Set(records.map(\.seq)) == Set(response.acks.map(\.seq)))
    #expect(records.allSatisfy { $0.epoch == response.acks[0].epoch })
    #expect(records.allSatisfy { $0.timestampMs > 0 })
    #expect(await eventually { harness.agent.spool.statistics.records == 0 })

    // The first heartbeat goes out at start.
    let heartbeat = try #require(harness.telemetry.state.withLock { $0.heartbeats.first })
    #expect(heartbeat.deviceID == RegistryFixture.deviceID)
    await harness.stop()
    harness.folder.remove()
    await registry.stop()
  }

  @Test("artifact with the wrong hash is deleted and reported FAILED")
  func hashMismatch() async throws {
    let registry = try await RegistryFixture.start()
    let token = try await registry.setUpDevice()
    let harness = try await AgentHarness.start(registry: registry, deviceToken: token)
    let first = try await registry.addVersion(artifactBytes(Self.artifactSize, seed: 1))
    // Corrupt the registry's stored copy, so it serves bytes that do not match the hash.
    let blob = registry.folder + "/blobs/" + first.sha256
    let descriptor = open(blob, O_WRONLY)
    #expect(descriptor >= 0)
    var byte: UInt8 = 0xEE
    #expect(pwrite(descriptor, &byte, 1, 1000) == 1)
    close(descriptor)

    try await registry.deploy(first.version)
    #expect(try await eventually { try await registry.reported()?.state == .failed })
    let reported = try #require(try await registry.reported())
    #expect(reported.version == 1)
    #expect(reported.message.contains("does not match its SHA-256"))
    #expect(fileNames(in: harness.modelsFolder).isEmpty)
    #expect(harness.assignment.generation == 0)
    await harness.stop()
    harness.folder.remove()
    await registry.stop()
  }

  @Test("interrupted download resumes from the partial file")
  func resumesDownload() async throws {
    let registry = try await RegistryFixture.start()
    let token = try await registry.setUpDevice()
    let chunksWritten = Mutex(0)
    CrashPoint.setTestHandler { name in
      guard name == CrashPoint.afterDownloadPartial else { return }
      let count = chunksWritten.withLock { count in
        count += 1
        return count
      }
      if count == 1 { throw CancellationError() }
    }
    defer { CrashPoint.setTestHandler(nil) }
    let harness = try await AgentHarness.start(registry: registry, deviceToken: token)
    let first = try await registry.addVersion(artifactBytes(Self.artifactSize, seed: 1))

    try await registry.deploy(first.version)
    let assigned = try #require(await harness.waitForAssignment(version: 1))
    #expect(assigned.sha256 == first.sha256)
    #expect(SHA256.hexDigest(readFile(assigned.path)) == first.sha256)
    // One chunk before the interruption and the two after it: the first is not fetched again.
    #expect(chunksWritten.withLock { $0 } == 3)
    #expect(fileNames(in: harness.modelsFolder) == [first.sha256])
    await harness.stop()
    harness.folder.remove()
    await registry.stop()
  }

  @Test("failing health command returns to the previous model")
  func healthCommandFails() async throws {
    let registry = try await RegistryFixture.start()
    let token = try await registry.setUpDevice()
    let harness = try await AgentHarness.start(
      registry: registry, deviceToken: token,
      extraFlags: ["--health-command", "test \"$EDGECAT_MODEL_VERSION\" != 2"])
    let first = try await registry.addVersion(artifactBytes(Self.artifactSize, seed: 1))
    let second = try await registry.addVersion(artifactBytes(Self.artifactSize, seed: 2))

    try await registry.deploy(first.version)
    let assignedFirst = try #require(await harness.waitForAssignment(version: 1))
    try await harness.confirm(assignedFirst.generation)
    #expect(try await eventually { try await registry.reported()?.state == .running })

    try await registry.deploy(second.version)
    let assignedSecond = try #require(
      await harness.waitForAssignment(version: 2, after: assignedFirst.generation))
    try await harness.confirm(assignedSecond.generation)
    let fallback = try #require(
      await harness.waitForAssignment(version: 1, after: assignedSecond.generation))
    #expect(fallback.path == assignedFirst.path)
    #expect(try await eventually { try await registry.reported()?.state == .failed })
    let reported = try #require(try await registry.reported())
    #expect(reported.version == 2)
    #expect(reported.message.contains("exited with status 1"))
    #expect(reported.message.contains("version 1 again"))
    #expect(harness.agent.manager.runningModel?.version == 1)
    // The application confirms the fallback, which changes nothing.
    try await harness.confirm(fallback.generation)
    #expect(harness.agent.manager.runningModel?.version == 1)
    await harness.stop()
    harness.folder.remove()
    await registry.stop()
  }

  @Test("failed load returns to the previous model")
  func loadFails() async throws {
    let registry = try await RegistryFixture.start()
    let token = try await registry.setUpDevice()
    let harness = try await AgentHarness.start(registry: registry, deviceToken: token)
    let first = try await registry.addVersion(artifactBytes(1000, seed: 1))
    let second = try await registry.addVersion(artifactBytes(1000, seed: 2))

    try await registry.deploy(first.version)
    let assignedFirst = try #require(await harness.waitForAssignment(version: 1))
    try await harness.confirm(assignedFirst.generation)
    try await registry.deploy(second.version)
    let assignedSecond = try #require(
      await harness.waitForAssignment(version: 2, after: assignedFirst.generation))

    // An old generation is rejected.
    await #expect {
      try await harness.confirm(assignedFirst.generation)
    } throws: { error in
      (error as? RPCError)?.code == .failedPrecondition
    }
    try await harness.confirm(assignedSecond.generation, loaded: false, message: "out of memory")
    #expect(await harness.waitForAssignment(version: 1, after: assignedSecond.generation) != nil)
    #expect(try await eventually { try await registry.reported()?.state == .failed })
    #expect(try await registry.reported()?.message.contains("out of memory") == true)
    await harness.stop()
    harness.folder.remove()
    await registry.stop()
  }

  @Test("restart assigns the running model again")
  func restartKeepsModel() async throws {
    let registry = try await RegistryFixture.start()
    let token = try await registry.setUpDevice()
    var harness = try await AgentHarness.start(registry: registry, deviceToken: token)
    let first = try await registry.addVersion(artifactBytes(1000, seed: 1))
    try await registry.deploy(first.version)
    let assigned = try #require(await harness.waitForAssignment(version: 1))
    try await harness.confirm(assigned.generation)
    #expect(await eventually { harness.agent.manager.runningModel?.version == 1 })
    await harness.stop()

    harness = try await AgentHarness.start(
      registry: registry, deviceToken: token, folder: harness.folder)
    #expect(harness.agent.manager.runningModel?.version == 1)
    #expect(harness.assignment.version == 1)
    #expect(harness.assignment.generation > assigned.generation)
    await harness.stop()
    harness.folder.remove()
    await registry.stop()
  }
}

/// Returns the bytes of the file at `path`; empty when it cannot be read.
func readFile(_ path: String) -> [UInt8] {
  guard let file = fopen(path, "rb") else { return [] }
  defer { fclose(file) }
  var bytes: [UInt8] = []
  var buffer = [UInt8](repeating: 0, count: 65536)
  while true {
    let count = fread(&buffer, 1, buffer.count, file)
    if count == 0 { break }
    bytes += buffer[0..<count]
  }
  return bytes
}
