import EdgecatCrypto
import EdgecatProto
import EdgecatRPC
import EdgecatRegistry
import Testing

@Suite("Model versions over gRPC", .serialized)
struct VersionServiceTests {
  @Test("20 concurrent creates get distinct numbers")
  func concurrentCreates() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createModel()
    let numbers = try await withThrowingTaskGroup(of: Int64.self) { group in
      for _ in 0..<20 {
        group.addTask { try await fixture.createVersion().version }
      }
      var numbers: [Int64] = []
      for try await number in group { numbers.append(number) }
      return numbers
    }
    #expect(numbers.sorted() == Array(1...20))
    var delete = Edgecat_Registry_V1_DeleteModelVersionRequest()
    delete.modelFullName = "main.ml.defects"
    delete.version = 20
    let _: Edgecat_Registry_V1_DeleteModelVersionResponse = try await fixture.call(
      "DeleteModelVersion", delete, token: fixture.aliceToken)
    let next = try await fixture.createVersion()
    #expect(next.version == 21)
  }

  @Test("training tables are recorded as lineage")
  func lineage() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createModel()
    let version = try await fixture.createVersion(tables: ["main.features.images"])
    #expect(version.trainingTables == ["main.features.images"])
    var request = Edgecat_Catalog_V1_GetLineageRequest()
    request.node = "main.features.images"
    request.direction = .downstream
    let lineage: Edgecat_Catalog_V1_GetLineageResponse = try await fixture.catalog(
      "GetLineage", request, token: fixture.adminToken)
    let edge = try #require(lineage.edges.first)
    #expect(edge.target == "model-version:main.ml.defects/1")
    #expect(edge.kind == "TRAINED_ON")
    #expect(edge.recordedBy == RegistryFixture.alice)
  }

  @Test("a missing training table rejects the version")
  func missingTrainingTable() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createModel()
    await #expect {
      try await fixture.createVersion(tables: ["main.features.nothing"])
    } throws: { error in
      guard let error = error as? RPCError else { return false }
      return error.code == .notFound && error.message.contains("main.features.nothing")
    }
    let next = try await fixture.createVersion()
    #expect(next.version == 1)
  }

  @Test("an upload is downloaded whole and from an offset")
  func uploadAndResumedDownload() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createModel()
    try await fixture.createVersion()
    let bytes = artifactBytes(600_000)
    let ready = try await fixture.upload(bytes, to: 1)
    #expect(ready.status == .ready)
    #expect(ready.artifactSha256 == SHA256.hexDigest(bytes))

    let whole = try await fixture.download(1)
    #expect(whole.count == 3)
    #expect(whole.flatMap(\.data) == bytes)
    #expect(whole.first?.sha256 == SHA256.hexDigest(bytes))
    #expect(whole.first?.sizeBytes == 600_000)

    let resumed = try await fixture.download(1, offset: 300_001)
    #expect(resumed.first?.offset == 300_001)
    #expect(resumed.flatMap(\.data) == Array(bytes[300_001...]))

    let atEnd = try await fixture.download(1, offset: 600_000)
    #expect(atEnd.count == 1)
    #expect(atEnd.first?.data.isEmpty == true)
    await #expect {
      _ = try await fixture.download(1, offset: 600_001)
    } throws: { error in
      (error as? RPCError)?.code == .outOfRange
    }
    await #expect {
      _ = try await fixture.download(1, offset: -1)
    } throws: { error in
      guard let error = error as? RPCError else { return false }
      return error.code == .invalidArgument && error.message.contains("offset -1")
    }
  }

  @Test("missing model is named once")
  func missingModelMessage() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createModel()
    await #expect {
      _ = try await fixture.createVersion("main.ml.nothing")
    } throws: { error in
      guard let error = error as? RPCError else { return false }
      return error.code == .notFound
        && error.message == "registered model main.ml.nothing does not exist; check the name"
    }
  }

  @Test("model URIs resolve to versions")
  func modelURIs() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createModel()
    for _ in 0..<3 { try await fixture.createVersion() }
    try await fixture.upload(artifactBytes(10), to: 1)
    try await fixture.upload(artifactBytes(20), to: 2)
    try await fixture.setAlias("champion", 1)
    #expect(try await fixture.resolve("models:/main.ml.defects/3").version == 3)
    #expect(try await fixture.resolve("models:/Main.ML.Defects@Champion").version == 1)
    #expect(try await fixture.resolve("models:/main.ml.defects/latest").version == 2)
    await #expect {
      _ = try await fixture.resolve("models:/main.ml.defects@challenger")
    } throws: { error in
      (error as? RPCError)?.code == .notFound
    }
    await #expect {
      _ = try await fixture.resolve("models:/main.ml.defects/v1")
    } throws: { error in
      (error as? RPCError)?.code == .invalidArgument
    }
  }

  @Test("version comment control characters")
  func versionCommentControlCharacters() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createModel()
    var request = EngineFixture.versionRequest()
    request.modelFullName = "main.ml.defects"
    request.comment = "retrained\n\twith March data"
    let created: ModelVersionMessage = try await fixture.call(
      "CreateModelVersion", request, token: fixture.aliceToken)
    #expect(created.comment == "retrained\n\twith March data")
    request.comment = "bell \u{07}"
    await #expect {
      let _: ModelVersionMessage = try await fixture.call(
        "CreateModelVersion", request, token: fixture.aliceToken)
    } throws: { error in
      guard let error = error as? RPCError else { return false }
      return error.code == .invalidArgument && error.message.contains("U+7")
    }
  }

  @Test("an alias of a pending version is FAILED_PRECONDITION")
  func aliasOfPendingVersion() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createModel()
    try await fixture.createVersion()
    let error = await #expect(throws: RPCError.self) {
      try await fixture.setAlias("champion", 1)
    }
    #expect(error?.code == .failedPrecondition)
    #expect(error?.message.contains("upload its artifact first") == true)
  }

  @Test("an alias moves and goes with its version")
  func aliasLifecycle() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createModel()
    for number: Int64 in 1...2 {
      try await fixture.createVersion()
      try await fixture.upload(artifactBytes(100), to: number)
    }
    try await fixture.setAlias("champion", 1)
    try await fixture.setAlias("champion", 2)
    #expect(try await fixture.getVersion(1).aliases.isEmpty)
    #expect(try await fixture.getVersion(2).aliases == ["champion"])
    await #expect {
      try await fixture.setAlias("latest", 2)
    } throws: { error in
      guard let error = error as? RPCError else { return false }
      return error.code == .invalidArgument && error.message.contains("reserved")
    }
    var delete = Edgecat_Registry_V1_DeleteModelVersionRequest()
    delete.modelFullName = "main.ml.defects"
    delete.version = 2
    let deleted: Edgecat_Registry_V1_DeleteModelVersionResponse = try await fixture.call(
      "DeleteModelVersion", delete, token: fixture.aliceToken)
    #expect(deleted.deletedAliases == ["champion"])
    await #expect {
      _ = try await fixture.resolve("models:/main.ml.defects@champion")
    } throws: { error in
      (error as? RPCError)?.code == .notFound
    }
  }
}
