import EdgecatCore
import EdgecatCrypto
import EdgecatRegistry
import Testing

@Suite("Aliases and model URIs")
struct AliasEngineTests {
  @Test("setting an alias again moves it")
  func aliasMoves() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createReadyVersion()
    try await fixture.createReadyVersion()
    let engine = fixture.engine
    try await engine.setAlias("Champion", of: "main.ml.defects", to: 1, audit: fixture.audit())
    let moved = try await engine.setAlias(
      "champion", of: "main.ml.defects", to: 2, audit: fixture.audit())
    #expect(moved.version == 2)
    #expect(moved.previousVersion == 1)
    let first = try #require(await engine.version("main.ml.defects", 1))
    let second = try #require(await engine.version("main.ml.defects", 2))
    #expect(first.aliases.isEmpty)
    #expect(second.aliases == ["champion"])
  }

  @Test(
    "reserved and malformed aliases are rejected",
    arguments: ["latest", "LATEST", "v1", "V12", "", "has space", "dot.ted", "ünï"])
  func rejectedAliases(alias: String) async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createVersion()
    await #expect {
      try await fixture.engine.setAlias(
        alias, of: "main.ml.defects", to: 1, audit: fixture.audit())
    } throws: { error in
      (error as? ServiceError)?.code == .invalidArgument
    }
  }

  @Test("names like v and v1a are allowed")
  func nearReservedAliases() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createReadyVersion()
    for alias in ["v", "v1a", "latest-good", String(repeating: "a", count: 255)] {
      let record = try await fixture.engine.setAlias(
        alias, of: "main.ml.defects", to: 1, audit: fixture.audit())
      #expect(record.alias == alias)
    }
  }

  @Test("deleting a version deletes its aliases")
  func aliasRemovedWithVersion() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createReadyVersion()
    try await fixture.createReadyVersion()
    let engine = fixture.engine
    try await engine.setAlias("champion", of: "main.ml.defects", to: 1, audit: fixture.audit())
    try await engine.setAlias("staging", of: "main.ml.defects", to: 1, audit: fixture.audit())
    try await engine.setAlias("challenger", of: "main.ml.defects", to: 2, audit: fixture.audit())
    let deleted = try await engine.deleteVersion("main.ml.defects", 1, audit: fixture.audit())
    #expect(deleted == ["champion", "staging"])
    #expect(try await engine.alias("champion", of: "main.ml.defects") == nil)
    let remaining = try await engine.aliases(of: "main.ml.defects")
    #expect(remaining.map(\.alias) == ["challenger"])
  }

  @Test("an alias of a version waiting for its artifact fails")
  func aliasNeedsUpload() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createVersion()
    let error = await #expect(throws: ServiceError.self) {
      try await fixture.engine.setAlias(
        "champion", of: "main.ml.defects", to: 1, audit: fixture.audit())
    }
    #expect(error?.code == .failedPrecondition)
    #expect(error?.message.contains("version 1 of main.ml.defects") == true)
    #expect(error?.message.contains("PENDING_REGISTRATION") == true)
    #expect(error?.message.contains("upload its artifact first") == true)
    #expect(try await fixture.engine.alias("champion", of: "main.ml.defects") == nil)
  }

  @Test("an alias of a failed version fails")
  func aliasOfFailedVersion() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createVersion()
    _ = try? await fixture.upload(
      artifactBytes(100), to: 1, declaredSHA256: SHA256.hexDigest(artifactBytes(99)))
    let stored = try #require(await fixture.engine.version("main.ml.defects", 1))
    #expect(stored.status == .failedRegistration)
    let error = await #expect(throws: ServiceError.self) {
      try await fixture.engine.setAlias(
        "champion", of: "main.ml.defects", to: 1, audit: fixture.audit())
    }
    #expect(error?.code == .failedPrecondition)
    #expect(error?.message.contains("FAILED_REGISTRATION") == true)
    #expect(error?.message.contains("create a new version") == true)
  }

  @Test("an alias of a missing version is not found")
  func aliasNeedsVersion() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    await #expect {
      try await fixture.engine.setAlias(
        "champion", of: "main.ml.defects", to: 7, audit: fixture.audit())
    } throws: { error in
      (error as? ServiceError)?.code == .notFound
    }
  }

  @Test(
    "model URIs parse",
    arguments: [
      ("models:/Main.ML.Defects/3", ModelReference.version(3)),
      ("models:/main.ml.defects@Champion", .alias("champion")),
      ("models:/main.ml.defects/latest", .latest),
    ])
  func uriForms(text: String, reference: ModelReference) throws {
    let uri = try ModelURI(text)
    #expect(uri.model.fullName == "main.ml.defects")
    #expect(uri.reference == reference)
  }

  @Test(
    "malformed model URIs are rejected",
    arguments: [
      "model:/main.ml.defects/1", "models:/main.ml.defects", "models:/main.ml/1",
      "models:/main.ml.defects/0", "models:/main.ml.defects/-1", "models:/main.ml.defects/one",
      "models:/main.ml.defects@latest", "models:/main.ml.defects@",
    ])
  func uriRejected(text: String) {
    #expect(throws: ServiceError.self) { try ModelURI(text) }
  }

  @Test("latest resolves to the highest READY version")
  func latestIsReady() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createVersion()
    try await fixture.createVersion()
    try await fixture.createVersion()
    try await fixture.upload(artifactBytes(10), to: 1)
    try await fixture.upload(artifactBytes(20), to: 2)
    let engine = fixture.engine
    #expect(try await engine.resolve(.latest, of: "main.ml.defects").version == 2)
    try await engine.setAlias("champion", of: "main.ml.defects", to: 1, audit: fixture.audit())
    #expect(try await engine.resolve(.alias("champion"), of: "main.ml.defects").version == 1)
    #expect(try await engine.resolve(.version(3), of: "main.ml.defects").version == 3)
    await #expect {
      _ = try await engine.resolve(.latest, of: "main.ml.other")
    } throws: { error in
      (error as? ServiceError)?.code == .notFound
    }
  }
}
