import EdgecatCore
import EdgecatPolicy
import EdgecatTestSupport
import Testing

@Suite("Securable names")
struct NameTests {
  @Test(
    "rejected character",
    arguments: [" ", ".", "/", "*", "$", "'", "\"", "é", "\u{0}", "\t", ":", "@", "+", "`"])
  func rejectedCharacter(_ character: String) throws {
    let name = "main.a\(character)b.t"
    let error = #expect(throws: PolicyError.self) { try SecurableName(name) }
    #expect(error?.code == .invalidArgument)
  }

  @Test("message names the bad part")
  func messageNamesPart() throws {
    let error = #expect(throws: PolicyError.self) { try SecurableName("main.sa$les.t") }
    #expect(error?.message.contains("'sa$les'") == true)
  }

  @Test("part lengths", arguments: [(0, false), (1, true), (255, true), (256, false)])
  func partLength(_ length: Int, _ valid: Bool) throws {
    let name = "main." + String(repeating: "a", count: length) + ".t"
    if valid {
      #expect(try SecurableName(name).parts[1].count == length)
    } else {
      #expect(throws: PolicyError.self) { try SecurableName(name) }
    }
  }

  @Test("allowed characters")
  func allowedCharacters() throws {
    #expect(try SecurableName("a-b_C9.x.y").fullName == "a-b_c9.x.y")
  }

  @Test("case folds to lower")
  func caseFolding() throws {
    #expect(try SecurableName("Main.SALES.Orders").fullName == "main.sales.orders")
  }

  @Test("four parts rejected")
  func fourParts() throws {
    #expect(throws: PolicyError.self) { try SecurableName("a.b.c.d") }
  }

  @Test("empty name is metastore")
  func emptyIsMetastore() throws {
    #expect(try SecurableName("").parts.isEmpty)
  }

  @Test("registered names are lower case")
  func registeredLowerCase() async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    try await engine.register(.catalog, "Prod")
    #expect(try engine.securable(named: "prod").fullName == "prod")
  }

  @Test("name with wrong part count", arguments: [SecurableType.catalog, .schema, .table])
  func wrongDepth(_ type: SecurableType) async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let engine = try await openEngine(directory)
    let name = type == .schema ? "a" : "a.b"
    let error = await #expect(throws: PolicyError.self) { try await engine.register(type, name) }
    #expect(error?.code == .invalidArgument)
  }
}
