import EdgecatCore
import Testing

@testable import EdgecatPolicy

@Suite("Model entries as values")
struct ModelEntryTests {
  /// Returns a model with user `alice` and catalog `main` under the metastore.
  static func model() throws -> (model: PolicyModel, alice: Int32, main: Int32) {
    var model = PolicyModel()
    let metastore = model.insertSecurable(
      type: .metastore, name: .metastore, parent: -1, owner: 0, createdAt: 0)
    let alice = model.insertPrincipal(name: "alice", kind: .user, createdAt: 0)
    let main = model.insertSecurable(
      type: .catalog, name: try SecurableName("main"), parent: metastore, owner: alice,
      createdAt: 0)
    return (model, alice, main)
  }

  @Test("securable change leaves copies alone")
  func securableCopy() throws {
    let (original, alice, main) = try Self.model()
    var changed = original

    changed.securables[Int(main)]!.grants[alice] = [.useCatalog]
    changed.securables[Int(main)]!.owner = -1
    changed.securables[Int(main)]!.children.append(99)
    changed.securables[Int(main)]!.columns = ["a"]

    #expect(original.securable(main).grants.isEmpty)
    #expect(original.securable(main).owner == alice)
    #expect(original.securable(main).children.isEmpty)
    #expect(original.securable(main).columns.isEmpty)
    #expect(changed.securable(main).grants[alice] == [.useCatalog])
    #expect(changed.securable(main).owner == -1)
    #expect(changed.securable(main).children == [99])
    #expect(changed.securable(main).columns == ["a"])
    #expect(changed.securable(main).fullName == "main")
  }

  @Test("principal change leaves copies alone")
  func principalCopy() throws {
    let (original, alice, _) = try Self.model()
    var changed = original

    changed.principals[Int(alice)]!.directGroups.append(7)
    changed.principals[Int(alice)]!.closure.append(7)
    changed.principals[Int(alice)]!.attributes["region"] = "eu"

    #expect(original.principal(alice).directGroups.isEmpty)
    #expect(original.principal(alice).closure == [alice])
    #expect(original.principal(alice).attributes.isEmpty)
    #expect(changed.principal(alice).directGroups == [7])
    #expect(changed.principal(alice).closure == [alice, 7])
    #expect(changed.principal(alice).attributes == ["region": "eu"])
    #expect(changed.principal(alice).name == "alice")
  }

  @Test("entry copy then change is independent")
  func entryCopy() throws {
    let (model, alice, main) = try Self.model()
    let before = model.securable(main)
    var after = before

    after.grants[alice] = [.browse]

    #expect(before.grants.isEmpty)
    #expect(after.grants[alice] == [.browse])
  }
}
