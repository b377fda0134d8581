import EdgecatCore
import EdgecatCrypto
import EdgecatRegistry
import Glibc
import Testing

@Suite("Artifact storage")
struct ArtifactEngineTests {
  @Test("matching bytes make the version READY")
  func ready() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createVersion()
    let bytes = artifactBytes(5000)
    let record = try await fixture.upload(bytes, to: 1)
    #expect(record.status == .ready)
    #expect(record.artifactSHA256 == SHA256.hexDigest(bytes))
    #expect(record.artifactSize == 5000)
    #expect(fixture.blobFiles() == [SHA256.hexDigest(bytes)])
  }

  @Test("a hash mismatch fails the registration and leaves no file")
  func hashMismatch() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createVersion()
    let declared = SHA256.hexDigest(artifactBytes(99))
    await #expect {
      try await fixture.upload(
        artifactBytes(100), to: 1, declaredSHA256: declared, declaredSize: 100)
    } throws: { error in
      guard let error = error as? ServiceError else { return false }
      return error.code == .invalidArgument && error.message.contains("SHA-256")
    }
    let stored = try #require(await fixture.engine.version("main.ml.defects", 1))
    #expect(stored.status == .failedRegistration)
    #expect(stored.statusMessage.contains(declared))
    #expect(fixture.blobFiles().isEmpty)
  }

  @Test("a truncated upload fails and leaves no file")
  func truncated() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createVersion()
    let whole = artifactBytes(3000)
    await #expect {
      try await fixture.upload(
        Array(whole.prefix(2000)), to: 1, declaredSHA256: SHA256.hexDigest(whole),
        declaredSize: 3000)
    } throws: { error in
      guard let error = error as? ServiceError else { return false }
      return error.code == .invalidArgument && error.message.contains("2000 of the declared 3000")
    }
    let stored = try #require(await fixture.engine.version("main.ml.defects", 1))
    #expect(stored.status == .failedRegistration)
    #expect(fixture.blobFiles().isEmpty)
  }

  @Test("more bytes than declared fail before they are written")
  func overDeclared() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createVersion()
    await #expect {
      try await fixture.upload(artifactBytes(1500), to: 1, declaredSize: 1000)
    } throws: { error in
      (error as? ServiceError)?.code == .invalidArgument
    }
    let stored = try #require(await fixture.engine.version("main.ml.defects", 1))
    #expect(stored.status == .failedRegistration)
    #expect(fixture.blobFiles().isEmpty)
  }

  @Test("a size over the limit is RESOURCE_EXHAUSTED and changes nothing")
  func oversized() async throws {
    let fixture = try await EngineFixture.start(maximumArtifactBytes: 4096)
    defer { Task { await fixture.stop() } }
    try await fixture.createVersion()
    await #expect {
      try await fixture.upload(artifactBytes(4097), to: 1)
    } throws: { error in
      (error as? ServiceError)?.code == .resourceExhausted
    }
    let stored = try #require(await fixture.engine.version("main.ml.defects", 1))
    #expect(stored.status == .pendingRegistration)
    #expect(fixture.blobFiles().isEmpty)
    let record = try await fixture.upload(artifactBytes(4096), to: 1)
    #expect(record.status == .ready)
  }

  @Test("a non-ASCII hex digest is rejected before any bytes")
  func fullWidthDigest() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createVersion()
    let digest = "\u{FF41}" + String(repeating: "a", count: 61)
    await #expect {
      try await fixture.upload(artifactBytes(100), to: 1, declaredSHA256: digest)
    } throws: { error in
      (error as? ServiceError)?.code == .invalidArgument
    }
    let stored = try #require(await fixture.engine.version("main.ml.defects", 1))
    #expect(stored.status == .pendingRegistration)
  }

  @Test("an empty artifact is rejected")
  func emptyArtifact() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createVersion()
    await #expect {
      try await fixture.upload([], to: 1)
    } throws: { error in
      guard let error = error as? ServiceError else { return false }
      return error.code == .invalidArgument && error.message.contains("non-empty file")
    }
  }

  @Test("a cancelled upload leaves the version pending and no file")
  func cancelled() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createVersion()
    let bytes = artifactBytes(2000)
    let upload = try await fixture.engine.beginUpload(
      "main.ml.defects", 1, sha256: SHA256.hexDigest(bytes), size: 2000,
      audit: fixture.audit())
    try await upload.append(Array(bytes.prefix(1000)))
    #expect(fixture.blobFiles().count == 1)
    upload.cancel()
    #expect(fixture.blobFiles().isEmpty)
    let stored = try #require(await fixture.engine.version("main.ml.defects", 1))
    #expect(stored.status == .pendingRegistration)
    try await fixture.upload(bytes, to: 1)
  }

  @Test("a second concurrent upload of one version is rejected")
  func concurrentUpload() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createVersion()
    let bytes = artifactBytes(10)
    let first = try await fixture.engine.beginUpload(
      "main.ml.defects", 1, sha256: SHA256.hexDigest(bytes), size: 10, audit: fixture.audit())
    await #expect {
      _ = try await fixture.engine.beginUpload(
        "main.ml.defects", 1, sha256: SHA256.hexDigest(bytes), size: 10,
        audit: fixture.audit())
    } throws: { error in
      (error as? ServiceError)?.code == .failedPrecondition
    }
    first.cancel()
  }

  @Test("identical artifacts are stored once and kept while referenced")
  func storedOncePerHash() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createVersion()
    try await fixture.createVersion()
    let bytes = artifactBytes(700)
    try await fixture.upload(bytes, to: 1)
    try await fixture.upload(bytes, to: 2)
    #expect(fixture.blobFiles() == [SHA256.hexDigest(bytes)])
    try await fixture.engine.deleteVersion("main.ml.defects", 1, audit: fixture.audit())
    #expect(fixture.blobFiles() == [SHA256.hexDigest(bytes)])
    try await fixture.engine.deleteVersion("main.ml.defects", 2, audit: fixture.audit())
    #expect(fixture.blobFiles().isEmpty)
  }

  @Test("a download reads from an offset")
  func downloadFromOffset() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createVersion()
    let bytes = artifactBytes(10_000)
    try await fixture.upload(bytes, to: 1)
    let download = try await fixture.engine.openArtifact("main.ml.defects", 1)
    #expect(download.size == 10_000)
    let middle = try await download.read(at: 6000, count: 1000)
    #expect(middle == Array(bytes[6000..<7000]))
    let tail = try await download.read(at: 9500, count: 1000)
    #expect(tail == Array(bytes[9500...]))
  }

  @Test("a pending version has nothing to download")
  func downloadNeedsReady() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createVersion()
    await #expect {
      _ = try await fixture.engine.openArtifact("main.ml.defects", 1)
    } throws: { error in
      (error as? ServiceError)?.code == .failedPrecondition
    }
  }

  @Test("dropping a model deletes its versions and unshared artifacts")
  func dropModel() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    let shared = artifactBytes(300)
    let own = artifactBytes(400)
    try await fixture.createVersion()
    try await fixture.createVersion()
    try await fixture.createVersion("main.ml.other")
    try await fixture.upload(shared, to: 1)
    try await fixture.upload(own, to: 2)
    try await fixture.upload(shared, to: 1, model: "main.ml.other")
    try await fixture.engine.setAlias(
      "champion", of: "main.ml.defects", to: 2, audit: fixture.audit())
    let deleted = try await fixture.engine.dropModel("main.ml.defects", audit: fixture.audit())
    #expect(deleted == [1, 2])
    #expect(try await fixture.engine.versionNumbers(of: "main.ml.defects").isEmpty)
    #expect(try await fixture.engine.aliases(of: "main.ml.defects").isEmpty)
    #expect(fixture.blobFiles() == [SHA256.hexDigest(shared)])
    #expect(try await fixture.engine.modelNames() == ["main.ml.other"])
    let restarted = try await fixture.createVersion()
    #expect(restarted.version == 1)
  }
}

@Suite("Blob folder at start")
struct BlobSweepTests {
  @Test("opening removes leftover uploads and unreferenced blobs")
  func sweepAtOpen() async throws {
    let fixture = try await EngineFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createVersion()
    let kept = artifactBytes(50)
    try await fixture.upload(kept, to: 1)
    await fixture.engine.close()
    let leftover = fixture.blobFolder + "/tmp/abc-1.part"
    let orphan = fixture.blobFolder + "/" + SHA256.hexDigest(artifactBytes(60))
    for path in [leftover, orphan] {
      let file = fopen(path, "w")
      #expect(file != nil)
      fclose(file)
    }
    #expect(fixture.blobFiles().count == 3)
    let reopened = try await RegistryEngine.open(
      path: fixture.folder + "/registry.db", blobPath: fixture.blobFolder)
    #expect(fixture.blobFiles() == [SHA256.hexDigest(kept)])
    await reopened.close()
  }
}
