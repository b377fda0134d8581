import EdgecatCrypto
import Foundation
import Testing

/// `model-version upload` and `download` of artifact files against a live registry.
@Suite("Artifact transfer")
struct ArtifactTransferTests {
  /// 700 KiB of varied bytes, so that the upload takes several 256 KiB chunks.
  static let artifact: [UInt8] = (0..<(700 * 1024)).map {
    UInt8(truncatingIfNeeded: $0 * 31 + $0 / 7)
  }

  /// Creates version 1 of `main.ml.defects` and uploads `artifact` to it.
  func uploadedVersion(_ fixture: ServiceFixture) async throws -> CLIResult {
    try await fixture.createModelNamespace()
    try await fixture.succeed(
      ["model-version", "create", "main.ml.defects"] + RegistryNounTests.signature)
    let file = try fixture.write(bytes: Self.artifact, to: "model.onnx")
    return try await fixture.succeed(
      "--output", "json", "model-version", "upload", "main.ml.defects", "1", file)
  }

  @Test("upload and download round trip")
  func roundTrip() async throws {
    try await ServiceFixture.with(registry: true) { fixture in
      let uploaded = try await uploadedVersion(fixture)
      let version = try uploaded.json()
      let digest = Hex.encode(SHA256.hash(Self.artifact))
      #expect(version["status"] as? String == "READY")
      #expect(version["artifact_sha256"] as? String == digest)
      #expect(version["artifact_size"] as? Int == Self.artifact.count)
      // Stderr is a file here, not a terminal, so no progress bar is drawn.
      #expect(uploaded.stderr.isEmpty)

      let target = fixture.folder + "/copy.onnx"
      let downloaded = try await fixture.succeed(
        "--output", "json", "model-version", "download", "main.ml.defects", "1", target)
      #expect(downloaded.stderr.isEmpty)
      let result = try downloaded.json()
      #expect(result["verified"] as? Bool == true)
      #expect(result["sha256"] as? String == digest)
      #expect(result["bytes_received"] as? Int == Self.artifact.count)
      #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: target))) == Self.artifact)

      let text = try await fixture.succeed(
        "model-version", "download", "main.ml.defects", "1", target)
      #expect(text.stdout.hasSuffix("SHA-256 \(digest) verified\n"))
    }
  }

  @Test("download resumes a partial file")
  func resume() async throws {
    try await ServiceFixture.with(registry: true) { fixture in
      _ = try await uploadedVersion(fixture)
      let kept = 300_000
      let partial = try fixture.write(bytes: Array(Self.artifact.prefix(kept)), to: "partial")
      let resumed = try await fixture.succeed(
        "--output", "json", "model-version", "download", "main.ml.defects", "1", partial,
        "--resume")
      let result = try resumed.json()
      #expect(result["offset"] as? Int == kept)
      #expect(result["bytes_received"] as? Int == Self.artifact.count - kept)
      #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: partial))) == Self.artifact)

      // --offset keeps the first bytes of a longer file and replaces the rest.
      var damaged = Self.artifact
      damaged[600_000] ^= 0xff
      let longer = try fixture.write(bytes: damaged + [1, 2, 3], to: "longer")
      try await fixture.succeed(
        "model-version", "download", "main.ml.defects", "1", longer, "--offset", "500000")
      #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: longer))) == Self.artifact)
    }
  }

  @Test("download of a corrupt prefix fails the hash check")
  func corruptPrefix() async throws {
    try await ServiceFixture.with(registry: true) { fixture in
      _ = try await uploadedVersion(fixture)
      var prefix = Array(Self.artifact.prefix(1000))
      prefix[10] ^= 0xff
      let partial = try fixture.write(bytes: prefix, to: "corrupt")
      let result = try await fixture.edgecat(
        "model-version", "download", "main.ml.defects", "1", partial, "--resume")
      #expect(result.status == 1)
      #expect(result.stderr.contains("\(partial) does not match the artifact of main.ml.defects"))
      #expect(result.stderr.contains("download again without --offset or --resume"))
    }
  }

  @Test("transfer errors name the version and the file")
  func transferErrors() async throws {
    try await ServiceFixture.with(registry: true) { fixture in
      try await fixture.createModelNamespace()
      try await fixture.succeed(
        ["model-version", "create", "main.ml.defects"] + RegistryNounTests.signature)
      let pending = fixture.folder + "/never"
      let notReady = try await fixture.edgecat(
        "model-version", "download", "main.ml.defects", "1", pending)
      #expect(notReady.status == 1)
      #expect(notReady.stderr.contains("edgecat-registry at"))
      #expect(!FileManager.default.fileExists(atPath: pending))

      let missing = try await fixture.edgecat(
        "model-version", "upload", "main.ml.defects", "1", fixture.folder + "/absent.onnx")
      #expect(missing.status == 1)
      #expect(missing.stderr.contains("cannot open \(fixture.folder)/absent.onnx"))

      let file = try fixture.write(bytes: [1, 2, 3], to: "small.onnx")
      let noVersion = try await fixture.edgecat(
        "model-version", "upload", "main.ml.defects", "9", file)
      #expect(noVersion.status == 1)
      #expect(noVersion.stderr.contains("NOT_FOUND"))
    }
  }
}
