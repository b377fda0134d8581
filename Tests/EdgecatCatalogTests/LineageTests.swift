import EdgecatProto
import EdgecatRPC
import Testing

/// Lineage over a chain raw -> features -> model version -> device, where alice may BROWSE
/// only the features schema.
@Suite("Lineage", .serialized)
struct LineageTests {
  static func makeWorld() async throws -> CatalogFixture {
    let fixture = try await CatalogFixture.start()
    try await fixture.createCatalog("main")
    try await fixture.createSchema("main", "raw")
    try await fixture.createSchema("main", "features")
    try await fixture.createTable("main", "raw", "events")
    try await fixture.createTable("main", "features", "user_features")
    try await fixture.createTable("main", "features", "labels")
    var model = Edgecat_Catalog_V1_RegisterHostedObjectRequest()
    model.type = .registeredModel
    model.catalogName = "main"
    model.schemaName = "features"
    model.name = "churn"
    let _: Edgecat_Catalog_V1_HostedObjectInfo = try await fixture.call(
      "RegisterHostedObject", model, token: fixture.serviceToken,
      onBehalfOf: CatalogFixture.admin)
    try await fixture.addEdges([
      ("main.raw.events", "main.features.user_features", "DERIVED_FROM"),
      ("main.features.user_features", "model-version:main.features.churn/1", "TRAINED_ON"),
      ("main.features.labels", "model-version:main.features.churn/1", "TRAINED_ON"),
      ("model-version:main.features.churn/1", "device:press-01", "DEPLOYED_TO"),
    ])
    try await fixture.grant(["BROWSE"], on: .schema, "main.features", to: "alice@example.com")
    return fixture
  }

  @Test("downstream walk reaches the device")
  func downstream() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    let lineage = try await fixture.lineage(
      "main.raw.events", .downstream, depth: 3, token: fixture.adminToken)
    #expect(
      lineage.nodes.map(\.id) == [
        "main.raw.events", "main.features.user_features", "model-version:main.features.churn/1",
        "device:press-01",
      ])
    #expect(lineage.nodes.map(\.distance) == [0, 1, 2, 3])
    #expect(lineage.edges.count == 3)
  }

  @Test("depth limits the walk")
  func depthLimit() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    let lineage = try await fixture.lineage(
      "main.raw.events", .downstream, depth: 1, token: fixture.adminToken)
    #expect(lineage.nodes.map(\.id) == ["main.raw.events", "main.features.user_features"])
  }

  @Test("upstream walk of a model version")
  func upstream() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    let lineage = try await fixture.lineage(
      "model-version:main.features.churn/1", .upstream, depth: 2, token: fixture.adminToken)
    #expect(
      Set(lineage.nodes.map(\.id)) == [
        "model-version:main.features.churn/1", "main.features.user_features",
        "main.features.labels", "main.raw.events",
      ])
  }

  @Test("securables without BROWSE are redacted")
  func redaction() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    let lineage = try await fixture.lineage(
      "main.features.user_features", .both, depth: 3, token: fixture.aliceToken)
    let ids = lineage.nodes.map(\.id)
    #expect(!ids.contains("main.raw.events"))
    #expect(lineage.nodes.filter(\.redacted).count == 1)
    #expect(ids.contains("model-version:main.features.churn/1"))
    #expect(ids.contains("device:press-01"))
    let redactedEdge = lineage.edges.first { $0.source.hasPrefix("redacted-") }
    #expect(redactedEdge?.target == "main.features.user_features")
    #expect(redactedEdge?.recordedBy == "")
  }

  @Test("a dropped model takes its versions' edges")
  func droppedModel() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    var request = Edgecat_Catalog_V1_DeleteHostedObjectRequest()
    request.type = .registeredModel
    request.fullName = "main.features.churn"
    let _: Edgecat_Catalog_V1_DeleteResponse = try await fixture.call(
      "DeleteHostedObject", request, token: fixture.serviceToken,
      onBehalfOf: CatalogFixture.admin)
    let lineage = try await fixture.lineage(
      "main.raw.events", .downstream, depth: 3, token: fixture.adminToken)
    #expect(lineage.nodes.map(\.id) == ["main.raw.events", "main.features.user_features"])
  }

  @Test("device without edges is shown")
  func deviceWithoutEdges() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    let lineage = try await fixture.lineage(
      "device:press-02", .both, depth: 3, token: fixture.adminToken)
    #expect(lineage.nodes.map(\.id) == ["device:press-02"])
    #expect(lineage.nodes.first?.redacted == false)
    #expect(lineage.edges.isEmpty)
  }

  @Test("device start keeps its name")
  func deviceStartNamed() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    let lineage = try await fixture.lineage(
      "device:press-01", .upstream, depth: 1, token: fixture.adminToken)
    #expect(lineage.nodes.map(\.id) == ["device:press-01", "model-version:main.features.churn/1"])
    #expect(lineage.nodes.filter(\.redacted).isEmpty)
  }

  @Test("start without BROWSE is denied")
  func startDenied() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    await #expect {
      _ = try await fixture.lineage(
        "main.raw.events", .downstream, depth: 1, token: fixture.aliceToken)
    } throws: { error in
      (error as? RPCError)?.code == .permissionDenied
    }
  }

  @Test("adding edges needs edgecat-services")
  func addNeedsService() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    await #expect {
      try await fixture.addEdges(
        [("main.raw.events", "main.features.labels", "DERIVED_FROM")], token: fixture.aliceToken)
    } throws: { error in
      (error as? RPCError)?.code == .permissionDenied
    }
  }

  @Test("bad node names are rejected", arguments: ["", "a..b", "model-version:x/1", "device:"])
  func badNodes(node: String) async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    await #expect {
      try await fixture.addEdges([(node, "main.features.labels", "DERIVED_FROM")])
    } throws: { error in
      (error as? RPCError)?.code == .invalidArgument
    }
  }

  @Test("a depth over 10 is rejected")
  func depthTooLarge() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    await #expect {
      _ = try await fixture.lineage(
        "main.raw.events", .downstream, depth: 11, token: fixture.adminToken)
    } throws: { error in
      (error as? RPCError)?.code == .invalidArgument
    }
  }
}

extension CatalogFixture {
  func addEdges(_ edges: [(String, String, String)], token: String? = nil)
    async throws(RPCError)
  {
    var request = Edgecat_Catalog_V1_AddLineageEdgesRequest()
    request.edges = edges.map { source, target, kind in
      var edge = Edgecat_Catalog_V1_NewLineageEdge()
      edge.source = source
      edge.target = target
      edge.kind = kind
      return edge
    }
    let _: Edgecat_Catalog_V1_AddLineageEdgesResponse = try await call(
      "AddLineageEdges", request, token: token ?? serviceToken)
  }

  func lineage(
    _ node: String, _ direction: Edgecat_Catalog_V1_LineageDirection, depth: Int32,
    token: String
  ) async throws(RPCError) -> Edgecat_Catalog_V1_GetLineageResponse {
    var request = Edgecat_Catalog_V1_GetLineageRequest()
    request.node = node
    request.direction = direction
    request.depth = depth
    return try await call("GetLineage", request, token: token)
  }
}
