import Foundation
import Testing

/// `model`, `model-version` and `alias` against live policy, catalog and registry services.
@Suite("Registry nouns")
struct RegistryNounTests {
  static let signature = [
    "--input-tensor", "image:float32:-1,3,224,224", "--output-tensor", "label:int64:-1",
  ]

  @Test("model create, get, list, update, tags and delete")
  func modelLifecycle() async throws {
    try await ServiceFixture.with(registry: true) { fixture in
      try await fixture.createModelNamespace()
      let created = try await fixture.succeed(
        "--output", "json", "model", "create", "main.ml.scorer", "--comment", "scores",
        "--tag", "team=vision")
      let model = try created.json()
      #expect(model["full_name"] as? String == "main.ml.scorer")
      #expect(model["owner"] as? String == ServiceFixture.admin)
      #expect(model["tags"] as? [String: String] == ["team": "vision"])
      #expect(model["latest_version"] as? Int == 0)

      let listed = try await fixture.succeed("--output", "json", "model", "list", "main.ml")
      let names = try listed.jsonArray().compactMap { $0["full_name"] as? String }
      #expect(names == ["main.ml.defects", "main.ml.scorer"])
      let table = try await fixture.succeed("model", "list")
      #expect(table.lines.first?.hasPrefix("FULL_NAME") == true)
      #expect(table.lines.count == 3)

      let updated = try await fixture.succeed(
        "--output", "json", "model", "update", "main.ml.scorer", "--comment", "renamed")
      #expect(try updated.json()["comment"] as? String == "renamed")
      try await fixture.succeed("model", "tag", "set", "main.ml.scorer", "stage", "beta")
      let tagged = try await fixture.succeed("--output", "json", "model", "get", "main.ml.scorer")
      #expect(
        try tagged.json()["tags"] as? [String: String] == ["stage": "beta", "team": "vision"])
      let untagged = try await fixture.succeed(
        "model", "tag", "delete", "main.ml.scorer", "team")
      #expect(untagged.stdout == "deleted tag team on main.ml.scorer\n")

      try await fixture.succeed(
        ["model-version", "create", "main.ml.scorer"] + Self.signature)
      let refused = try await fixture.edgecat("model", "delete", "main.ml.scorer")
      #expect(refused.status == 1)
      #expect(refused.stderr.contains("FAILED_PRECONDITION"))
      let deleted = try await fixture.succeed(
        "--output", "json", "model", "delete", "main.ml.scorer", "--force")
      #expect(try deleted.json()["deleted_versions"] as? [Int] == [1])
      let missing = try await fixture.edgecat("model", "get", "main.ml.scorer")
      #expect(missing.status == 1)
      #expect(missing.stderr.contains("NOT_FOUND"))
      #expect(missing.stderr.contains("main.ml.scorer"))
    }
  }

  @Test("model-version create from flags and a signature file")
  func versionCreate() async throws {
    try await ServiceFixture.with(registry: true) { fixture in
      try await fixture.createModelNamespace()
      let example = try fixture.write("{\"image\": [[0.5]]}", to: "example.json")
      let created = try await fixture.succeed(
        [
          "--output", "json", "model-version", "create", "main.ml.defects", "--source", "runs/42",
          "--training-table", "main.features.images", "--input-example-file", example,
          "--tag", "dataset=v7",
        ] + Self.signature)
      let version = try created.json()
      #expect(version["version"] as? Int == 1)
      #expect(version["status"] as? String == "PENDING_REGISTRATION")
      #expect(version["format"] as? String == "onnx")
      #expect(version["training_tables"] as? [String] == ["main.features.images"])
      #expect(version["input_example"] as? String == "{\"image\": [[0.5]]}")
      let signature = try #require(version["signature"] as? [String: Any])
      let inputs = try #require(signature["inputs"] as? [[String: Any]])
      #expect(inputs.first?["shape"] as? [Int] == [-1, 3, 224, 224])

      let file = try fixture.write(
        """
        {"inputs": [{"name": "x", "type": "float32", "shape": [1, 8]}],
         "outputs": [{"name": "y", "type": "float32"}]}
        """, to: "signature.json")
      let second = try await fixture.succeed(
        "--output", "json", "model-version", "create", "main.ml.defects", "--signature-file",
        file, "--format", "tflite")
      #expect(try second.json()["version"] as? Int == 2)
      #expect(try second.json()["format"] as? String == "tflite")

      let broken = try fixture.write("{\"inputs\": [", to: "broken.json")
      let bad = try await fixture.edgecat(
        "model-version", "create", "main.ml.defects", "--signature-file", broken)
      #expect(bad.status == 2)
      #expect(bad.stderr.contains("--signature-file \(broken): invalid JSON at byte 12"))

      let listed = try await fixture.succeed(
        "--output", "json", "model-version", "list", "main.ml.defects")
      #expect(try listed.jsonArray().compactMap { $0["version"] as? Int } == [1, 2])
      let one = try await fixture.succeed(
        "--output", "json", "model-version", "list", "main.ml.defects", "--max-results", "1")
      #expect(try one.jsonArray().count == 1)
      let shown = try await fixture.succeed("model-version", "get", "main.ml.defects", "2")
      #expect(shown.stdout.contains("status "))
      #expect(shown.stdout.contains("PENDING_REGISTRATION"))

      try await fixture.succeed("model-version", "tag", "set", "main.ml.defects", "1", "k", "v")
      let tagged = try await fixture.succeed(
        "--output", "json", "model-version", "get", "main.ml.defects", "1")
      #expect(try tagged.json()["tags"] as? [String: String] == ["dataset": "v7", "k": "v"])
      let deleted = try await fixture.succeed(
        "model-version", "delete", "main.ml.defects", "2")
      #expect(deleted.stdout == "deleted main.ml.defects version 2\n")
      let gone = try await fixture.edgecat("model-version", "get", "main.ml.defects", "2")
      #expect(gone.status == 1)
      #expect(gone.stderr.contains("NOT_FOUND"))
    }
  }

  @Test("alias set, get, resolve and delete")
  func aliases() async throws {
    try await ServiceFixture.with(registry: true) { fixture in
      try await fixture.createModelNamespace()
      try await fixture.succeed(["model-version", "create", "main.ml.defects"] + Self.signature)
      let pending = try await fixture.edgecat("alias", "set", "main.ml.defects", "champion", "1")
      #expect(pending.status == 1)
      #expect(pending.stderr.contains("FAILED_PRECONDITION"))
      #expect(pending.stderr.contains("upload its artifact first"))

      try await fixture.succeed(["model-version", "create", "main.ml.defects"] + Self.signature)
      let file = try fixture.write(bytes: [1, 2, 3], to: "model.onnx")
      for number in ["1", "2"] {
        try await fixture.succeed("model-version", "upload", "main.ml.defects", number, file)
      }
      let set = try await fixture.succeed("alias", "set", "main.ml.defects", "champion", "1")
      #expect(set.stdout == "main.ml.defects@champion now names version 1\n")
      let moved = try await fixture.succeed(
        "--output", "json", "alias", "set", "main.ml.defects", "champion", "2")
      #expect(try moved.json()["version"] as? Int == 2)
      let got = try await fixture.succeed(
        "--output", "json", "alias", "get", "main.ml.defects", "champion")
      #expect(try got.json()["version"] as? Int == 2)
      #expect(try got.json()["aliases"] as? [String] == ["champion"])

      let byAlias = try await fixture.succeed(
        "--output", "json", "alias", "resolve", "models:/main.ml.defects@champion")
      #expect(try byAlias.json()["version"] as? Int == 2)
      let byNumber = try await fixture.succeed(
        "--output", "json", "alias", "resolve", "models:/main.ml.defects/1")
      #expect(try byNumber.json()["version"] as? Int == 1)

      let reserved = try await fixture.edgecat("alias", "set", "main.ml.defects", "latest", "1")
      #expect(reserved.status == 1)
      #expect(reserved.stderr.contains("INVALID_ARGUMENT"))
      #expect(reserved.stderr.contains("latest"))
      let deleted = try await fixture.succeed("alias", "delete", "main.ml.defects", "champion")
      #expect(deleted.stdout == "deleted alias champion of main.ml.defects\n")
      let missing = try await fixture.edgecat("alias", "get", "main.ml.defects", "champion")
      #expect(missing.status == 1)
      #expect(missing.stderr.contains("champion"))
    }
  }
}
