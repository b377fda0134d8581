import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatRegistry
import Testing

@Suite("Input example JSON syntax")
struct InputExampleTests {
  @Test(
    "valid JSON passes",
    arguments: [
      "{}", "[]", "0", "-0.5e+3", "1E9", "true", "false", "null", "\"\"",
      " {\"image\": [[0.1, 2], {\"a\": null}], \"tag\": \"\\u00e9\\n\\\"\"} \r\n",
      "\"caf\u{e9}\"", "[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]",
    ])
  func validPasses(text: String) throws {
    try JSONSyntax.validate(text)
  }

  @Test(
    "invalid JSON names the offset",
    arguments: [
      ("", 0), ("{", 1), ("{\"a\" 1}", 5), ("{\"a\":1,}", 7), ("[1,]", 3), ("[1 2]", 3),
      ("01", 1), ("1.", 2), ("-", 1), ("1e", 2), ("'a'", 0), ("{a:1}", 1), ("tru", 3),
      ("\"a\nb\"", 2), ("\"\\x\"", 2), ("\"\\u12g4\"", 5), ("\"abc", 4), ("1 2", 2),
      ("[1] // note", 4), ("\u{a0}1", 0), ("{\"k\":[1,{\"j\":}]}", 13),
    ])
  func invalidNamesOffset(text: String, offset: Int) {
    do {
      try JSONSyntax.validate(text)
      Issue.record("\(text.debugDescription) passed as JSON")
    } catch {
      #expect(error.offset == offset)
      #expect(!error.message.isEmpty)
    }
  }

  @Test("deep nesting does not overflow the stack")
  func deepNesting() throws {
    let depth = 200_000
    try JSONSyntax.validate(
      String(repeating: "[", count: depth) + String(repeating: "]", count: depth))
  }

  @Test("bad input example is INVALID_ARGUMENT")
  func versionRejectsBadExample() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createModel()
    var request = EngineFixture.versionRequest()
    request.modelFullName = "main.ml.defects"
    request.inputExample = "{\"image\": [1, 2,]}"
    await #expect {
      let _: ModelVersionMessage = try await fixture.call(
        "CreateModelVersion", request, token: fixture.aliceToken)
    } throws: { error in
      guard let error = error as? RPCError else { return false }
      return error.code == .invalidArgument && error.message.contains("byte offset 16")
    }

    request.inputExample = "{\"image\": [1, 2]}"
    let _: ModelVersionMessage = try await fixture.call(
      "CreateModelVersion", request, token: fixture.aliceToken)
    let created = try await fixture.getVersion(1)
    #expect(created.inputExample == "{\"image\": [1, 2]}")
  }
}
