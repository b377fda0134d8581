import EdgecatPolicy
import EdgecatProto
import EdgecatRPC
import EdgecatRegistry
import Testing

@Suite("Staged rollouts", .serialized)
struct RolloutTests {
  /// Registers devices dev-01 ... dev-NN and returns their tokens by id.
  static func registerDevices(_ fixture: RegistryFixture, count: Int) async throws
    -> [String: String]
  {
    var tokens: [String: String] = [:]
    for index in 1...count {
      let id = "dev-" + (index < 10 ? "0" : "") + String(index)
      tokens[id] = try await fixture.registerDevice(id)
    }
    return tokens
  }

  static func device(_ deployment: Edgecat_Registry_V1_Deployment, _ id: String)
    -> Edgecat_Registry_V1_DeploymentDevice?
  {
    deployment.devices.first { $0.deviceID == id }
  }

  @Test("failures over the threshold halt the rollout")
  func haltsAtThreshold() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createModel()
    try await fixture.readyVersions(1)
    let tokens = try await Self.registerDevices(fixture, count: 20)
    var agents: [Task<Void, Never>] = []
    for (id, token) in tokens where id != "dev-06" {
      let behavior: AgentBehavior = id == "dev-04" || id == "dev-05" ? .failing : .healthy
      agents.append(fixture.runAgent(id, token: token, behavior: behavior))
    }
    defer { for agent in agents { agent.cancel() } }

    // Stage 1 reaches dev-01 and dev-02, stage 2 the next 8 devices. Two failures in stage 2
    // are 25%, under the 30% threshold, and the silent dev-06 timing out makes 37.5%.
    let created = try await fixture.deploy(
      version: 1, stages: [10, 50, 100], soakMilliseconds: 50, stageTimeoutMilliseconds: 1500,
      errorThreshold: 30)
    #expect(created.state == .rollingOut)
    #expect(
      created.devices.filter { $0.state == .targeted }.map(\.deviceID) == ["dev-01", "dev-02"])

    let halted = try await fixture.waitForDeployment(created.deploymentID, state: .halted)
    #expect(halted.state == .halted)
    #expect(halted.currentStage == 1)
    #expect(halted.stateMessage.contains("3 of 8 devices failed"))
    #expect(Self.device(halted, "dev-01")?.state == .updated)
    #expect(Self.device(halted, "dev-03")?.state == .updated)
    #expect(Self.device(halted, "dev-04")?.state == .failed)
    #expect(Self.device(halted, "dev-04")?.message == "model load failed")
    #expect(Self.device(halted, "dev-06")?.state == .failed)
    #expect(Self.device(halted, "dev-06")?.message.contains("did not report") == true)
    #expect(Self.device(halted, "dev-10")?.state == .updated)
    let untouched = halted.devices.filter { $0.stage == 2 }
    #expect(untouched.count == 10)
    #expect(untouched.allSatisfy { $0.state == .waiting })
    #expect(try await fixture.desiredVersion("dev-11") == 0)
    #expect(try await fixture.desiredVersion("dev-10") == 1)
  }

  @Test("an alert rollback restores versions and the alias")
  func alertRollback() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createModel()
    try await fixture.readyVersions(2)
    let tokens = try await Self.registerDevices(fixture, count: 6)
    let agents = tokens.map { fixture.runAgent($0.key, token: $0.value, behavior: .healthy) }
    defer { for agent in agents { agent.cancel() } }

    try await fixture.setAlias("champion", 1)
    let first = try await fixture.deploy(alias: "champion", stages: [100])
    _ = try await fixture.waitForDeployment(first.deploymentID, state: .succeeded)
    try await fixture.setAlias("champion", 2)
    let second = try await fixture.deploy(alias: "champion", stages: [50, 100])
    #expect(second.aliasPreviousVersion == 1)
    let rolledOut = try await fixture.waitForDeployment(second.deploymentID, state: .succeeded)
    #expect(rolledOut.devices.allSatisfy { $0.previousVersion == 1 })
    #expect(rolledOut.devices.allSatisfy { $0.state == .updated })
    for id in tokens.keys { #expect(try await fixture.desiredVersion(id) == 2) }

    var rollback = Edgecat_Registry_V1_RollbackDeploymentRequest()
    rollback.modelFullName = "main.ml.defects"
    rollback.breachingVersion = 2
    rollback.firingID = "firing-1"
    rollback.cause = "accuracy 0.71 below 0.90"
    let rolledBack: Edgecat_Registry_V1_Deployment = try await fixture.call(
      "RollbackDeployment", rollback, token: fixture.aliceToken)
    #expect(rolledBack.deploymentID == second.deploymentID)
    #expect(rolledBack.state == .rolledBack)
    for id in tokens.keys { #expect(try await fixture.desiredVersion(id) == 1) }
    #expect(try await fixture.resolve("models:/main.ml.defects@champion").version == 1)
    let breaching = try await fixture.getVersion(2)
    #expect(!breaching.rolledBackAt.isEmpty)
    #expect(breaching.rollbackCause == "accuracy 0.71 below 0.90")

    let generation = try await fixture.desiredState("dev-01").generation
    let repeated: Edgecat_Registry_V1_Deployment = try await fixture.call(
      "RollbackDeployment", rollback, token: fixture.aliceToken)
    #expect(repeated.deploymentID == second.deploymentID)
    #expect(try await fixture.desiredState("dev-01").generation == generation)
    rollback.firingID = "firing-2"
    await #expect {
      let _: Edgecat_Registry_V1_Deployment = try await fixture.call(
        "RollbackDeployment", rollback, token: fixture.aliceToken)
    } throws: { error in
      (error as? RPCError)?.code == .notFound
    }

    // The outbox sender delivers the edges after the calls return, so the test polls.
    var lineage = Edgecat_Catalog_V1_GetLineageRequest()
    lineage.node = "model-version:main.ml.defects/1"
    lineage.direction = .downstream
    var kinds: Set<String> = []
    _ = try await fixture.eventually {
      let edges: Edgecat_Catalog_V1_GetLineageResponse = try await fixture.catalog(
        "GetLineage", lineage, token: fixture.adminToken)
      kinds = Set(edges.edges.filter { $0.target == "device:dev-01" }.map(\.kind))
      return kinds.isSuperset(of: ["DEPLOYED_TO", "ROLLED_BACK_TO"])
    }
    #expect(kinds.contains("DEPLOYED_TO"))
    #expect(kinds.contains("ROLLED_BACK_TO"))
  }

  @Test("rollback by id moves the alias back")
  func rollbackByIDRestoresAlias() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createModel()
    try await fixture.readyVersions(2)
    let tokens = try await Self.registerDevices(fixture, count: 4)
    let agents = tokens.map { fixture.runAgent($0.key, token: $0.value, behavior: .healthy) }
    defer { for agent in agents { agent.cancel() } }

    try await fixture.setAlias("champion", 1)
    let first = try await fixture.deploy(alias: "champion", stages: [100])
    _ = try await fixture.waitForDeployment(first.deploymentID, state: .succeeded)
    try await fixture.setAlias("champion", 2)
    let second = try await fixture.deploy(alias: "champion", stages: [100])
    _ = try await fixture.waitForDeployment(second.deploymentID, state: .succeeded)

    var rollback = Edgecat_Registry_V1_RollbackDeploymentRequest()
    rollback.deploymentID = second.deploymentID
    rollback.cause = "latency regression"
    let rolledBack: Edgecat_Registry_V1_Deployment = try await fixture.call(
      "RollbackDeployment", rollback, token: fixture.aliceToken)
    #expect(rolledBack.state == .rolledBack)
    #expect(rolledBack.stateMessage.contains(": latency regression; alias champion moved back"))
    #expect(
      rolledBack.stateMessage.contains("alias champion moved back from version 2 to version 1"))
    #expect(try await fixture.resolve("models:/main.ml.defects@champion").version == 1)
    for id in tokens.keys { #expect(try await fixture.desiredVersion(id) == 1) }
    let version = try await fixture.getVersion(2)
    #expect(version.rolledBackAt.isEmpty)
  }

  @Test("rollback names a deleted previous version")
  func rollbackToDeletedVersion() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createModel()
    try await fixture.readyVersions(2)
    let tokens = try await Self.registerDevices(fixture, count: 2)
    let agents = tokens.map { fixture.runAgent($0.key, token: $0.value, behavior: .healthy) }
    defer { for agent in agents { agent.cancel() } }
    let first = try await fixture.deploy(version: 1, stages: [100])
    _ = try await fixture.waitForDeployment(first.deploymentID, state: .succeeded)
    let second = try await fixture.deploy(version: 2, stages: [100])
    _ = try await fixture.waitForDeployment(second.deploymentID, state: .succeeded)
    var delete = Edgecat_Registry_V1_DeleteModelVersionRequest()
    delete.modelFullName = "main.ml.defects"
    delete.version = 1
    let _: Edgecat_Registry_V1_DeleteModelVersionResponse = try await fixture.call(
      "DeleteModelVersion", delete, token: fixture.aliceToken)

    var rollback = Edgecat_Registry_V1_RollbackDeploymentRequest()
    rollback.deploymentID = second.deploymentID
    rollback.cause = "latency regression"
    let rolledBack: Edgecat_Registry_V1_Deployment = try await fixture.call(
      "RollbackDeployment", rollback, token: fixture.aliceToken)
    #expect(rolledBack.state == .rolledBack)
    #expect(rolledBack.stateMessage.contains("2 of its devices have no desired version now"))
    for device in rolledBack.devices {
      #expect(device.message.hasPrefix("latency regression; its previous version 1 no longer"))
    }
    for id in tokens.keys { #expect(try await fixture.desiredVersion(id) == 0) }
  }

  @Test("rollback names devices a later deployment owns")
  func rollbackLeavesLaterDeployment() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createModel()
    try await fixture.readyVersions(2)
    let tokens = try await Self.registerDevices(fixture, count: 2)
    let agents = tokens.map { fixture.runAgent($0.key, token: $0.value, behavior: .healthy) }
    defer { for agent in agents { agent.cancel() } }
    let first = try await fixture.deploy(version: 1, stages: [100])
    _ = try await fixture.waitForDeployment(first.deploymentID, state: .succeeded)
    let device = try #require(tokens.keys.sorted().first)
    var onlyDevice = DeviceSelector()
    onlyDevice.deviceIds = [device]
    let second = try await fixture.deploy(version: 2, selector: onlyDevice, stages: [100])
    _ = try await fixture.waitForDeployment(second.deploymentID, state: .succeeded)

    var rollback = Edgecat_Registry_V1_RollbackDeploymentRequest()
    rollback.deploymentID = first.deploymentID
    rollback.cause = "test"
    let rolledBack: Edgecat_Registry_V1_Deployment = try await fixture.call(
      "RollbackDeployment", rollback, token: fixture.aliceToken)
    let entry = try #require(rolledBack.devices.first { $0.deviceID == device })
    #expect(entry.message.contains("deployment \(second.deploymentID) set its desired state"))
    #expect(try await fixture.desiredVersion(device) == 2)
  }

  @Test("rollback by id leaves a moved alias")
  func rollbackByIDKeepsMovedAlias() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createModel()
    try await fixture.readyVersions(3)
    _ = try await Self.registerDevices(fixture, count: 2)
    try await fixture.setAlias("champion", 1)
    try await fixture.setAlias("champion", 2)
    let deployment = try await fixture.deploy(alias: "champion", stages: [100])
    #expect(deployment.aliasPreviousVersion == 1)
    // The alias moves on to version 3 after the deployment, so a rollback must not move it.
    try await fixture.setAlias("champion", 3)

    var rollback = Edgecat_Registry_V1_RollbackDeploymentRequest()
    rollback.deploymentID = deployment.deploymentID
    let rolledBack: Edgecat_Registry_V1_Deployment = try await fixture.call(
      "RollbackDeployment", rollback, token: fixture.aliceToken)
    #expect(rolledBack.state == .rolledBack)
    #expect(!rolledBack.stateMessage.contains("alias"))
    // Without a cause the message names who rolled back, once.
    #expect(rolledBack.stateMessage.hasPrefix("rolled back by "))
    #expect(!rolledBack.stateMessage.contains(":"))
    #expect(!rolledBack.stateMessage.contains("requested by"))
    #expect(try await fixture.resolve("models:/main.ml.defects@champion").version == 3)
  }

  @Test("an offline device picks up its state on return")
  func offlineDevice() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createModel()
    try await fixture.readyVersions(1)
    let online = try await fixture.registerDevice("dev-online")
    let offline = try await fixture.registerDevice("dev-offline")
    let agent = fixture.runAgent("dev-online", token: online, behavior: .healthy)
    defer { agent.cancel() }
    let created = try await fixture.deploy(
      version: 1, stages: [100], stageTimeoutMilliseconds: 60_000)

    let watch = fixture.watchDesiredState("dev-offline", token: offline)
    defer { watch.close() }
    try await watch.start()
    var states = watch.call.responses.makeAsyncIterator()
    let returned = try #require(try await states.next())
    #expect(returned.models.map(\.version) == [1])
    #expect(returned.models.first?.deploymentID == created.deploymentID)
    #expect(returned.models.first?.artifactSha256.count == 64)
    try await fixture.report("dev-offline", version: 1, state: .running, token: offline)
    let done = try await fixture.waitForDeployment(created.deploymentID, state: .succeeded)
    #expect(Self.device(done, "dev-offline")?.state == .updated)
  }

  @Test("resend reaches the watching devices")
  func resend() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    let token = try await fixture.registerDevice("dev-a")
    try await fixture.registerDevice("dev-b")
    let watch = fixture.watchDesiredState("dev-a", token: token)
    defer { watch.close() }
    try await watch.start()
    var states = watch.call.responses.makeAsyncIterator()
    let first = try #require(try await states.next())
    var request = Edgecat_Registry_V1_ResendDesiredStateRequest()
    request.deviceIds = ["dev-a", "dev-b"]
    let response: Edgecat_Registry_V1_ResendDesiredStateResponse = try await fixture.call(
      "ResendDesiredState", request, token: fixture.adminToken)
    #expect(response.sent == ["dev-a"])
    let again = try #require(try await states.next())
    #expect(again.generation == first.generation)
    #expect(again.deviceID == "dev-a")

    request.deviceIds = ["dev-a", "dev-z"]
    await #expect {
      let _: Edgecat_Registry_V1_ResendDesiredStateResponse = try await fixture.call(
        "ResendDesiredState", request, token: fixture.adminToken)
    } throws: { error in
      guard let error = error as? RPCError else { return false }
      return error.code == .notFound
        && error.message.hasPrefix("device_ids names devices that are not registered: dev-z;")
    }
  }

  @Test("revoked token ends the watch")
  func revokedTokenEndsWatch() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    let token = try await fixture.registerDevice("dev-a")
    let watch = fixture.watchDesiredState("dev-a", token: token)
    defer { watch.close() }
    try await watch.start()
    var states = watch.call.responses.makeAsyncIterator()
    _ = try #require(try await states.next())

    let tokenID = try #require(fixture.policyEngine.listTokens(for: "device:dev-a").first?.id)
    let admin = RequestContext(principal: "admin@example.com", requestID: "test")
    _ = try await fixture.policyEngine.revokeToken(id: tokenID, context: admin)
    // Cancels the call if the watch outlives the revocation, so the test fails instead of
    // waiting for ever.
    let watchdog = Task {
      try await Task.sleep(for: .seconds(10))
      watch.close()
    }
    defer { watchdog.cancel() }
    var ended: RPCError?
    do {
      while try await states.next() != nil {}
    } catch let error as RPCError {
      ended = error
    }
    #expect(ended?.code == .unauthenticated)
    #expect(ended?.message.contains(tokenID) == true)
  }

  @Test("a paused rollout does not advance")
  func pauseAndResume() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createModel()
    try await fixture.readyVersions(1)
    let tokens = try await Self.registerDevices(fixture, count: 4)
    let agents = tokens.map { fixture.runAgent($0.key, token: $0.value, behavior: .healthy) }
    defer { for agent in agents { agent.cancel() } }
    let created = try await fixture.deploy(version: 1, stages: [50, 100], soakMilliseconds: 50)
    var pause = Edgecat_Registry_V1_PauseDeploymentRequest()
    pause.deploymentID = created.deploymentID
    let paused: Edgecat_Registry_V1_Deployment = try await fixture.call(
      "PauseDeployment", pause, token: fixture.aliceToken)
    #expect(paused.state == .paused)
    let reported = try await fixture.eventually {
      try await fixture.registryEngine.device("dev-02")?.report != nil
    }
    #expect(reported)
    try await Task.sleep(for: .milliseconds(300))
    #expect(try await fixture.desiredVersion("dev-04") == 0)
    #expect(try await fixture.deployment(created.deploymentID).state == .paused)

    var resume = Edgecat_Registry_V1_ResumeDeploymentRequest()
    resume.deploymentID = created.deploymentID
    let resumed: Edgecat_Registry_V1_Deployment = try await fixture.call(
      "ResumeDeployment", resume, token: fixture.aliceToken)
    #expect(resumed.state == .rollingOut)
    let done = try await fixture.waitForDeployment(created.deploymentID, state: .succeeded)
    #expect(done.devices.allSatisfy { $0.state == .updated })
  }
}
