import EdgecatPolicy
import Testing

@Suite("Privilege names")
struct PrivilegeNameTests {
  @Test(
    "spellings parse",
    arguments: ["USE_CATALOG", "use_catalog", "Use Catalog", "use catalog", "USE CATALOG"])
  func spellingsParse(_ text: String) throws {
    #expect(try Privilege.named(text) == .useCatalog)
  }

  @Test("every canonical name parses", arguments: Privilege.allCases)
  func canonicalNames(_ privilege: Privilege) throws {
    #expect(try Privilege.named(privilege.rawValue) == privilege)
  }

  @Test("unknown name is rejected")
  func unknownName() throws {
    let error = #expect(throws: PolicyError.self) { try Privilege.named("USE_CATALOGUE") }
    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains("'USE_CATALOGUE'") == true)
  }
}
