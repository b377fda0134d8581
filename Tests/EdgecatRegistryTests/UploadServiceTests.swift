import EdgecatCrypto
import EdgecatProto
import EdgecatRPC
import EdgecatRegistry
import Testing

@Suite("Artifact uploads over gRPC", .serialized)
struct UploadServiceTests {
  static func makeWorld(maximumArtifactBytes: Int64 = 1 << 20) async throws -> RegistryFixture {
    let fixture = try await RegistryFixture.start(maximumArtifactBytes: maximumArtifactBytes)
    try await fixture.createModel()
    try await fixture.createVersion()
    return fixture
  }

  @Test("a hash mismatch fails the registration")
  func hashMismatch() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    let bytes = artifactBytes(10_000)
    await #expect {
      try await fixture.upload(bytes, to: 1, sha256: SHA256.hexDigest(artifactBytes(9)))
    } throws: { error in
      guard let error = error as? RPCError else { return false }
      return error.code == .invalidArgument && error.message.contains("FAILED_REGISTRATION")
    }
    let version = try await fixture.getVersion(1)
    #expect(version.status == .failedRegistration)
    #expect(version.statusMessage.contains("SHA-256"))
    #expect(fixture.blobFiles().isEmpty)
  }

  @Test("a truncated upload fails the registration")
  func truncated() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    let bytes = artifactBytes(10_000)
    await #expect {
      try await fixture.upload(bytes, to: 1, sendCount: 6000)
    } throws: { error in
      guard let error = error as? RPCError else { return false }
      return error.code == .invalidArgument && error.message.contains("truncated")
    }
    let version = try await fixture.getVersion(1)
    #expect(version.status == .failedRegistration)
    #expect(fixture.blobFiles().isEmpty)
  }

  @Test("an oversized upload is RESOURCE_EXHAUSTED")
  func oversized() async throws {
    let fixture = try await Self.makeWorld(maximumArtifactBytes: 8192)
    defer { Task { await fixture.stop() } }
    await #expect {
      try await fixture.upload(artifactBytes(8193), to: 1)
    } throws: { error in
      (error as? RPCError)?.code == .resourceExhausted
    }
    let version = try await fixture.getVersion(1)
    #expect(version.status == .pendingRegistration)
    #expect(fixture.blobFiles().isEmpty)
  }

  @Test("a cancelled upload leaves the version pending")
  func cancelled() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    let bytes = artifactBytes(20_000)
    await #expect(throws: RPCError.self) {
      try await fixture.upload(bytes, to: 1, cancelAfter: 8192)
    }
    let cleaned = await fixture.eventually { fixture.blobFiles().isEmpty }
    #expect(cleaned)
    let retried = try await fixture.upload(bytes, to: 1)
    #expect(retried.status == .ready)
  }

  @Test("a READY version takes no second upload")
  func secondUpload() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    try await fixture.upload(artifactBytes(100), to: 1)
    await #expect {
      try await fixture.upload(artifactBytes(200), to: 1)
    } throws: { error in
      (error as? RPCError)?.code == .failedPrecondition
    }
  }
}
