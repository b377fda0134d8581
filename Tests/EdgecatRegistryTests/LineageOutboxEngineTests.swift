import EdgecatCore
import EdgecatProto
import EdgecatRegistry
import Testing

@Suite("Lineage outbox in the engine")
struct LineageOutboxEngineTests {
  static let alice = LineageCaller(
    principal: "alice@example.com", requestID: "req-alice", environment: "prod")
  static let scheduler = LineageCaller(principal: nil, requestID: "rollout-1", environment: nil)

  /// Registers devices with the given ids.
  static func register(_ ids: [String], in fixture: EngineFixture) async throws {
    for id in ids {
      var details = DeviceMessage()
      details.deviceID = id
      _ = try await fixture.engine.registerDevice(details, audit: fixture.audit())
    }
  }

  /// Deploys `version` to every device in one stage.
  @discardableResult
  static func deploy(_ version: Int64, in fixture: EngineFixture, for caller: LineageCaller)
    async throws -> RolloutProgress
  {
    try await fixture.engine.createDeployment(
      of: "main.ml.defects", target: .version(version), selector: DeviceSelector(),
      strategy: try RolloutDefaults(stagePercents: [100]).filled(nil),
      createdBy: caller.principal ?? "service:registry", audit: fixture.audit(),
      lineage: caller)
  }

  @Test("a deployment queues its edges")
  func deploymentQueuesEdges() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    let version = try await fixture.createReadyVersion()
    try await Self.register(["dev-a", "dev-b"], in: fixture)

    try await Self.deploy(version.version, in: fixture, for: Self.alice)

    let batch = try await fixture.engine.nextLineageBatch()
    #expect(batch.map(\.target) == ["device:dev-a", "device:dev-b"])
    #expect(batch.allSatisfy { $0.source == "model-version:main.ml.defects/1" })
    #expect(batch.allSatisfy { $0.kind == "DEPLOYED_TO" })
    #expect(batch.allSatisfy { $0.caller == Self.alice })
    #expect(batch.allSatisfy { $0.queuedAt > 0 })
  }

  @Test("a failed deployment queues nothing")
  func failedDeploymentQueuesNothing() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    let version = try await fixture.createReadyVersion()

    // No device is registered, so the selector matches none and the transaction rolls back.
    await #expect(throws: ServiceError.self) {
      try await Self.deploy(version.version, in: fixture, for: Self.alice)
    }

    #expect(try await fixture.engine.nextLineageBatch().isEmpty)
    let counts = try await fixture.engine.lineageOutboxCounts()
    #expect(counts.pending == 0)
    #expect(counts.failed == 0)
  }

  @Test("a batch shares one caller")
  func batchSharesCaller() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    let first = try await fixture.createReadyVersion()
    let second = try await fixture.createReadyVersion()
    try await Self.register(["dev-a", "dev-b"], in: fixture)
    try await Self.deploy(first.version, in: fixture, for: Self.alice)
    try await Self.deploy(second.version, in: fixture, for: Self.scheduler)

    let limited = try await fixture.engine.nextLineageBatch(limit: 1)
    #expect(limited.map(\.target) == ["device:dev-a"])
    let aliceBatch = try await fixture.engine.nextLineageBatch()
    #expect(aliceBatch.count == 2)
    #expect(aliceBatch.allSatisfy { $0.caller == Self.alice })

    try await fixture.engine.deleteLineage(aliceBatch.map(\.id))
    let schedulerBatch = try await fixture.engine.nextLineageBatch()
    #expect(schedulerBatch.count == 2)
    #expect(schedulerBatch.allSatisfy { $0.caller == Self.scheduler })
    #expect(schedulerBatch.allSatisfy { $0.source == "model-version:main.ml.defects/2" })
    #expect(schedulerBatch.first?.id ?? 0 > aliceBatch.last?.id ?? .max)
  }

  @Test("a failed edge leaves the batches")
  func failedEdgeSkipped() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    let version = try await fixture.createReadyVersion()
    try await Self.register(["dev-a", "dev-b"], in: fixture)
    try await Self.deploy(version.version, in: fixture, for: Self.alice)
    let batch = try await fixture.engine.nextLineageBatch()

    try await fixture.engine.markLineageFailed([batch[0].id], error: "model not found")

    #expect(try await fixture.engine.nextLineageBatch().map(\.target) == ["device:dev-b"])
    let counts = try await fixture.engine.lineageOutboxCounts()
    #expect(counts.pending == 1)
    #expect(counts.failed == 1)
  }

  @Test("a rollback queues ROLLED_BACK_TO edges")
  func rollbackQueuesEdges() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    let first = try await fixture.createReadyVersion()
    let second = try await fixture.createReadyVersion()
    try await Self.register(["dev-a", "dev-b"], in: fixture)
    try await Self.deploy(first.version, in: fixture, for: Self.alice)
    let progress = try await Self.deploy(second.version, in: fixture, for: Self.alice)
    try await fixture.engine.deleteLineage(
      try await fixture.engine.nextLineageBatch().map(\.id))

    let rollback = RollbackRequest(
      deploymentID: progress.deployment.id, model: "main.ml.defects", breachingVersion: nil,
      firingID: "", cause: "", requestedBy: "bob@example.com")
    let bob = LineageCaller(principal: "bob@example.com", requestID: "req-bob", environment: nil)
    _ = try await fixture.engine.rollback(rollback, audit: fixture.audit(), lineage: bob)

    let batch = try await fixture.engine.nextLineageBatch()
    #expect(batch.map(\.target) == ["device:dev-a", "device:dev-b"])
    #expect(batch.allSatisfy { $0.source == "model-version:main.ml.defects/1" })
    #expect(batch.allSatisfy { $0.kind == "ROLLED_BACK_TO" })
    #expect(batch.allSatisfy { $0.caller == bob })
  }

  @Test("a rollback to no version queues nothing")
  func rollbackWithoutPreviousVersion() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    let version = try await fixture.createReadyVersion()
    try await Self.register(["dev-a"], in: fixture)
    let progress = try await Self.deploy(version.version, in: fixture, for: Self.alice)
    try await fixture.engine.deleteLineage(
      try await fixture.engine.nextLineageBatch().map(\.id))

    let rollback = RollbackRequest(
      deploymentID: progress.deployment.id, model: "main.ml.defects", breachingVersion: nil,
      firingID: "", cause: "", requestedBy: "bob@example.com")
    let rolledBack = try await fixture.engine.rollback(
      rollback, audit: fixture.audit(), lineage: Self.alice)

    #expect(rolledBack.changed == ["dev-a"])
    #expect(try await fixture.engine.nextLineageBatch().isEmpty)
  }
}
