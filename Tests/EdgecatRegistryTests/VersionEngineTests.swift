import EdgecatCore
import EdgecatRegistry
import Testing

@Suite("Model version storage")
struct VersionEngineTests {
  @Test("20 concurrent creates get 20 distinct numbers")
  func concurrentCreates() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    let numbers = try await withThrowingTaskGroup(of: Int64.self) { group in
      for _ in 0..<20 {
        group.addTask { try await fixture.createVersion().version }
      }
      var numbers: [Int64] = []
      for try await number in group { numbers.append(number) }
      return numbers
    }
    #expect(numbers.sorted() == Array(1...20))
  }

  @Test("numbers are never reused after a delete")
  func noReuse() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createVersion()
    let second = try await fixture.createVersion()
    try await fixture.engine.deleteVersion(
      "main.ml.defects", second.version, audit: fixture.audit())
    let third = try await fixture.createVersion()
    #expect(third.version == 3)
    let other = try await fixture.createVersion("main.ml.other")
    #expect(other.version == 1)
  }

  @Test("a new version is pending with its details")
  func pendingDetails() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    let created = try await fixture.createVersion(tables: ["Main.Features.Images"])
    let stored = try #require(await fixture.engine.version("main.ml.defects", 1))
    #expect(stored.status == .pendingRegistration)
    #expect(stored.details.format == "onnx")
    #expect(stored.details.trainingTables == ["main.features.images"])
    #expect(stored.details.signature?.inputs.first?.name == "image")
    #expect(stored.createdBy == "alice@example.com")
    #expect(stored == created)
  }

  @Test("a signature without outputs is rejected")
  func signatureNeedsOutputs() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    var request = EngineFixture.versionRequest()
    request.signature?.outputs = []
    await #expect {
      _ = try await fixture.engine.createVersion(
        of: "main.ml.defects", request, createdBy: "alice@example.com", audit: fixture.audit())
    } throws: { error in
      guard let error = error as? ServiceError else { return false }
      return error.code == .invalidArgument && error.message.contains("signature.outputs")
    }
  }

  @Test("unknown tensor element types are rejected", arguments: ["float33", "Float32", "", "f32"])
  func unknownTensorType(type: String) async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    var request = EngineFixture.versionRequest()
    request.signature?.inputs[0].type = type
    let error = await #expect(throws: ServiceError.self) {
      _ = try await fixture.engine.createVersion(
        of: "main.ml.defects", request, createdBy: "alice@example.com", audit: fixture.audit())
    }
    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains("signature.inputs[0].type \"\(type)\"") == true)
    #expect(error?.message.contains("float32, float64, int8") == true)
  }

  @Test("every listed tensor element type is accepted")
  func listedTensorTypes() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    var request = EngineFixture.versionRequest()
    for type in ["float16", "bfloat16", "float64", "int64", "int32", "uint8", "bool", "string"] {
      request.signature?.inputs[0].type = type
      let version = try await fixture.engine.createVersion(
        of: "main.ml.defects", request, createdBy: "alice@example.com", audit: fixture.audit())
      #expect(version.details.signature?.inputs.first?.type == type)
    }
  }

  @Test("listing pages by number")
  func paging() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    for _ in 0..<5 { try await fixture.createVersion() }
    let first = try await fixture.engine.versions(
      of: "main.ml.defects", pageSize: 2, pageToken: "")
    #expect(first.versions.map(\.version) == [1, 2])
    let second = try await fixture.engine.versions(
      of: "main.ml.defects", pageSize: 2, pageToken: first.nextPageToken)
    #expect(second.versions.map(\.version) == [3, 4])
    let last = try await fixture.engine.versions(
      of: "main.ml.defects", pageSize: 2, pageToken: second.nextPageToken)
    #expect(last.versions.map(\.version) == [5])
    #expect(last.nextPageToken.isEmpty)
  }

  @Test("version tags are set, replaced and deleted")
  func versionTags() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createVersion()
    let engine = fixture.engine
    try await engine.setVersionTag(
      "main.ml.defects", 1, key: "stage", value: "qa", audit: fixture.audit())
    try await engine.setVersionTag(
      "main.ml.defects", 1, key: "stage", value: "prod", audit: fixture.audit())
    try await engine.setVersionTag(
      "main.ml.defects", 1, key: "owner", value: "ml", audit: fixture.audit())
    var stored = try #require(await engine.version("main.ml.defects", 1))
    #expect(stored.details.tags.map(\.key) == ["owner", "stage"])
    #expect(stored.details.tags.last?.value == "prod")
    try await engine.deleteVersionTag("main.ml.defects", 1, key: "owner", audit: fixture.audit())
    stored = try #require(await engine.version("main.ml.defects", 1))
    #expect(stored.details.tags.map(\.key) == ["stage"])
  }

  @Test("starting a model again clears state of a dropped one")
  func startModelClearsStaleState() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createVersion()
    try await fixture.createVersion()
    let stale = try await fixture.engine.startModel("main.ml.defects", audit: fixture.audit())
    #expect(stale == [1, 2])
    let fresh = try await fixture.createVersion()
    #expect(fresh.version == 1)
    let again = try await fixture.engine.startModel("main.ml.other", audit: fixture.audit())
    #expect(again.isEmpty)
  }
}
