import EdgecatProto
import EdgecatRPC
import EdgecatRegistry
import EdgecatStore
import Testing

@Suite("Deployment lineage through the outbox", .serialized)
struct LineageOutboxTests {
  /// The edges of `kind` from a version of main.ml.defects, as "target" strings.
  static func targets(
    _ fixture: RegistryFixture, version: Int64, kind: String = "DEPLOYED_TO"
  ) async throws -> [String] {
    var request = Edgecat_Catalog_V1_GetLineageRequest()
    request.node = "model-version:main.ml.defects/\(version)"
    request.direction = .downstream
    request.depth = 1
    let response: Edgecat_Catalog_V1_GetLineageResponse = try await fixture.catalog(
      "GetLineage", request, token: fixture.adminToken)
    return response.edges.filter { $0.source == request.node && $0.kind == kind }.map(\.target)
      .sorted()
  }

  /// Polls until the catalog has exactly `expected` edges of `kind` from the version.
  static func waitForTargets(
    _ fixture: RegistryFixture, version: Int64, kind: String = "DEPLOYED_TO",
    _ expected: [String]
  ) async throws -> Bool {
    try await fixture.eventually {
      try await targets(fixture, version: version, kind: kind) == expected
    }
  }

  /// Creates main.ml.defects with `versions` READY versions, and registers dev-1 and dev-2
  /// unless `registersDevices` is false.
  static func prepare(
    _ fixture: RegistryFixture, versions: Int = 1, registersDevices: Bool = true
  ) async throws {
    try await fixture.createModel()
    try await fixture.readyVersions(versions)
    guard registersDevices else { return }
    try await fixture.registerDevice("dev-1")
    try await fixture.registerDevice("dev-2")
  }

  /// Reads the outbox rows of the registry database with a connection of its own, and returns
  /// the values of the columns an insert needs.
  static func outboxRows(_ fixture: RegistryFixture) throws -> [[SQLValue]] {
    let database = try Database(path: fixture.folder + "/registry.db")
    defer { database.close() }
    return try database.query(
      "SELECT source, target, kind, principal, request_id, environment, queued_at"
        + " FROM lineage_outbox ORDER BY id"
    ).map(\.values)
  }

  /// Inserts outbox rows into the registry database of a stopped registry.
  static func insertOutboxRows(_ fixture: RegistryFixture, _ rows: [[SQLValue]]) throws {
    let database = try Database(path: fixture.folder + "/registry.db")
    defer { database.close() }
    for row in rows {
      try database.execute(
        "INSERT INTO lineage_outbox (source, target, kind, principal, request_id, environment,"
          + " queued_at) VALUES (?, ?, ?, ?, ?, ?, ?)", row)
    }
  }

  /// Polls until the deployment reaches `state` in the registry's database, which needs no
  /// call to the catalog.
  static func waitForState(
    _ fixture: RegistryFixture, _ id: String, _ state: DeploymentState
  ) async throws -> Bool {
    try await fixture.eventually { try await fixture.registryEngine.deployment(id)?.state == state }
  }

  // CreateDeployment and RollbackDeployment ask the catalog whether the model is in the
  // request's environment, so they fail while it is down. The rollout scheduler's stage starts
  // need no catalog call, so this test stops the catalog between two stages.
  @Test("stage started while the catalog is down")
  func catalogDown() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await Self.prepare(fixture, registersDevices: false)
    let agents = [
      fixture.runAgent(
        "dev-1", token: try await fixture.registerDevice("dev-1"), behavior: .healthy),
      fixture.runAgent(
        "dev-2", token: try await fixture.registerDevice("dev-2"), behavior: .healthy),
    ]
    defer { for agent in agents { agent.cancel() } }
    let created = try await fixture.deploy(version: 1, stages: [50, 100], soakMilliseconds: 1000)
    #expect(try await Self.waitForTargets(fixture, version: 1, ["device:dev-1"]))

    await fixture.stopCatalog()

    #expect(try await Self.waitForState(fixture, created.deploymentID, .succeeded))
    #expect(try await fixture.registryEngine.lineageOutboxCounts().pending == 1)
    try fixture.startCatalog()
    #expect(try await Self.waitForTargets(fixture, version: 1, ["device:dev-1", "device:dev-2"]))
    #expect(
      try await fixture.eventually {
        try await fixture.registryEngine.lineageOutboxCounts().pending == 0
      })
  }

  @Test("next registry delivers leftover rows")
  func leftoverRowsDelivered() async throws {
    let fixture = try await RegistryFixture.start(deliversLineage: false)
    defer { Task { await fixture.stop() } }
    try await Self.prepare(fixture)
    _ = try await fixture.deploy(version: 1, stages: [100])
    #expect(try await fixture.registryEngine.lineageOutboxCounts().pending == 2)
    #expect(try await Self.targets(fixture, version: 1).isEmpty)

    await fixture.stopRegistry()
    try await fixture.startRegistry()

    #expect(try await Self.waitForTargets(fixture, version: 1, ["device:dev-1", "device:dev-2"]))
    #expect(
      try await fixture.eventually {
        try await fixture.registryEngine.lineageOutboxCounts().pending == 0
      })
  }

  @Test("rollback edges go through the outbox")
  func rollbackEdges() async throws {
    let fixture = try await RegistryFixture.start(deliversLineage: false)
    defer { Task { await fixture.stop() } }
    try await Self.prepare(fixture, versions: 2)
    _ = try await fixture.deploy(version: 1, stages: [100])
    let second = try await fixture.deploy(version: 2, stages: [100])
    var request = Edgecat_Registry_V1_RollbackDeploymentRequest()
    request.deploymentID = second.deploymentID

    let rolledBack: Edgecat_Registry_V1_Deployment = try await fixture.call(
      "RollbackDeployment", request, token: fixture.aliceToken)

    #expect(rolledBack.state == .rolledBack)
    let queued = try Self.outboxRows(fixture).filter { $0[2].string == "ROLLED_BACK_TO" }
    #expect(
      queued.map { $0[0].string ?? "" }
        == Array(repeating: "model-version:main.ml.defects/1", count: 2))
    #expect(try await Self.targets(fixture, version: 1, kind: "ROLLED_BACK_TO").isEmpty)
    await fixture.stopRegistry()
    try await fixture.startRegistry()
    #expect(
      try await Self.waitForTargets(
        fixture, version: 1, kind: "ROLLED_BACK_TO", ["device:dev-1", "device:dev-2"]))
  }

  @Test("rows delivered twice make one edge")
  func deliveredTwice() async throws {
    let fixture = try await RegistryFixture.start(deliversLineage: false)
    defer { Task { await fixture.stop() } }
    try await Self.prepare(fixture)
    _ = try await fixture.deploy(version: 1, stages: [100])
    let rows = try Self.outboxRows(fixture)
    #expect(rows.count == 2)
    await fixture.stopRegistry()
    try await fixture.startRegistry()
    #expect(try await Self.waitForTargets(fixture, version: 1, ["device:dev-1", "device:dev-2"]))
    #expect(
      try await fixture.eventually {
        try await fixture.registryEngine.lineageOutboxCounts().pending == 0
      })

    // The same rows again, as after a crash between the catalog's response and the delete.
    await fixture.stopRegistry()
    try Self.insertOutboxRows(fixture, rows)
    try await fixture.startRegistry()

    #expect(
      try await fixture.eventually {
        try await fixture.registryEngine.lineageOutboxCounts().pending == 0
      })
    #expect(try await fixture.registryEngine.lineageOutboxCounts().failed == 0)
    #expect(try await Self.targets(fixture, version: 1) == ["device:dev-1", "device:dev-2"])
  }

  @Test("rejected edge is set aside")
  func rejectedEdgeSetAside() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await Self.prepare(fixture)
    await fixture.stopRegistry()
    // One caller for both rows, so they go in one call, which the catalog rejects with
    // NOT_FOUND for the model that does not exist.
    let missing: [SQLValue] = [
      .text("model-version:main.ml.missing/1"), .text("device:dev-1"), .text("DEPLOYED_TO"),
      .null, .text("req-1"), .null, .real(1),
    ]
    let valid: [SQLValue] = [
      .text("model-version:main.ml.defects/1"), .text("device:dev-2"), .text("DEPLOYED_TO"),
      .null, .text("req-1"), .null, .real(1),
    ]
    try Self.insertOutboxRows(fixture, [missing, valid])

    try await fixture.startRegistry()

    #expect(try await Self.waitForTargets(fixture, version: 1, ["device:dev-2"]))
    #expect(
      try await fixture.eventually {
        try await fixture.registryEngine.lineageOutboxCounts().failed == 1
      })
    #expect(try await fixture.registryEngine.lineageOutboxCounts().pending == 0)
    let failed = try Self.outboxRows(fixture)
    #expect(failed.count == 1)
    #expect(failed.first?.first?.string == "model-version:main.ml.missing/1")
  }
}
