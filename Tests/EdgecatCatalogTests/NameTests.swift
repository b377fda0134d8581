import EdgecatPolicy
import EdgecatProto
import EdgecatRPC
import Testing

/// The part of a full name that a test creates: `name`, `main.name` or `main.sales.name`.
enum NamePart: String, CaseIterable, Sendable {
  case catalog
  case schema
  case table
}

/// The kinds of object that share one name space within a schema.
enum SchemaObjectKind: String, CaseIterable, Sendable {
  case table
  case volume
  case function
}

extension CatalogFixture {
  /// Creates catalog `main` and schema `main.sales`, the parents of every `NamePart`.
  func createParents() async throws(RPCError) {
    try await createCatalog("main")
    try await createSchema("main", "sales")
  }

  /// Creates `name` as the given part below `main.sales` and returns its full name as the
  /// service reports it.
  @discardableResult
  func create(_ part: NamePart, _ name: String, comment: String = "", ifNotExists: Bool = false)
    async throws(RPCError) -> String
  {
    switch part {
    case .catalog:
      return try await createCatalog(name, comment: comment, ifNotExists: ifNotExists).name
    case .schema:
      return try await createSchema("main", name, comment: comment, ifNotExists: ifNotExists)
        .fullName
    case .table:
      return try await createTable(
        "main", "sales", name, comment: comment, ifNotExists: ifNotExists
      ).fullName
    }
  }

  /// Creates an object of `kind` named `main.sales.<name>`.
  func create(_ kind: SchemaObjectKind, _ name: String, ifNotExists: Bool = false)
    async throws(RPCError)
  {
    switch kind {
    case .table:
      try await createTable("main", "sales", name, ifNotExists: ifNotExists)
    case .volume:
      try await createVolume("main", "sales", name, ifNotExists: ifNotExists)
    case .function:
      try await createFunction(
        "main", "sales", name, parameters: [("x", "INT")], body: "x > 0",
        ifNotExists: ifNotExists)
    }
  }

  /// Returns the full names of the direct children of `parent` that the policy service has;
  /// the empty name is the metastore.
  func policyChildren(of parent: String) throws -> [String] {
    try policyEngine.securable(named: parent).children
  }
}

extension NamePart {
  /// Returns the full name of a part named `name` below `main.sales`.
  func fullName(_ name: String) -> String {
    switch self {
    case .catalog: name
    case .schema: "main." + name
    case .table: "main.sales." + name
    }
  }

  /// The full name of the parent, as `policyChildren(of:)` takes it.
  var parentName: String {
    switch self {
    case .catalog: ""
    case .schema: "main"
    case .table: "main.sales"
    }
  }
}

/// One character of each class that a name part may not contain: space, dot, slash, backtick,
/// both quotes, a non-ASCII letter, an emoji, a control character and an asterisk.
let rejectedNameCharacters = [" ", ".", "/", "`", "'", "\"", "é", "😀", "\u{1}", "*"]

@Suite("Catalog names", .serialized)
struct NameTests {
  @Test(
    "rejected character in a part",
    arguments: NamePart.allCases, rejectedNameCharacters)
  func rejectedCharacter(_ part: NamePart, _ character: String) async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createParents()
    let name = "a\(character)b"
    let error = await #expect(throws: RPCError.self) { try await fixture.create(part, name) }
    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains("'\(name)'") == true)
  }

  @Test("rejected character in a full name", arguments: rejectedNameCharacters.filter { $0 != "." })
  func rejectedCharacterInFullName(_ character: String) async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createParents()
    let schema = "sa\(character)les"
    let error = await #expect(throws: RPCError.self) {
      try await fixture.getTable("main.\(schema).orders")
    }
    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains("'\(schema)'") == true)
  }

  @Test("accepted part lengths", arguments: NamePart.allCases, [1, 255])
  func acceptedLength(_ part: NamePart, _ length: Int) async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createParents()
    let name = String(repeating: "A", count: length)
    let created = try await fixture.create(part, name)
    #expect(created == part.fullName(name.lowercased()))
    #expect(fixture.securable(created))
  }

  @Test(
    "rejected part lengths",
    arguments: NamePart.allCases, [(0, "is empty"), (256, "the maximum is 255")])
  func rejectedLength(_ part: NamePart, _ rule: (length: Int, message: String)) async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createParents()
    let name = String(repeating: "a", count: rule.length)
    let error = await #expect(throws: RPCError.self) { try await fixture.create(part, name) }
    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains(rule.message) == true)
  }

  @Test("names fold to lower case", arguments: NamePart.allCases)
  func caseFolding(_ part: NamePart) async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createParents()
    let created = try await fixture.create(part, "Mixed")
    #expect(created == part.fullName("mixed"))
    let error = await #expect(throws: RPCError.self) { try await fixture.create(part, "mixed") }
    #expect(error?.code == .alreadyExists)
    #expect(error?.message.contains("\(part.fullName("mixed")) already exists") == true)
    #expect(error?.message.contains("unique across kinds") == false)
  }

  @Test("get folds the name to lower case")
  func getFoldsCase() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("Main")
    try await fixture.createSchema("MAIN", "Sales")
    #expect(try await fixture.getCatalog("MAIN").name == "main")
    #expect(try await fixture.getSchema("mAiN.SALES").fullName == "main.sales")
  }

  @Test(
    "one name across object kinds",
    arguments: [
      (SchemaObjectKind.table, SchemaObjectKind.volume), (.table, .function),
      (.volume, .table), (.function, .table), (.volume, .function),
    ])
  func uniqueAcrossKinds(_ existing: SchemaObjectKind, _ new: SchemaObjectKind) async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createParents()
    try await fixture.create(existing, "shared")
    let error = await #expect(throws: RPCError.self) { try await fixture.create(new, "shared") }
    #expect(error?.code == .alreadyExists)
    #expect(error?.message.contains("a \(existing.rawValue) of that name exists") == true)
    let registered = try fixture.policyEngine.securable(named: "main.sales.shared")
    #expect(registered.type.displayName == existing.rawValue)
  }

  @Test("if_not_exists returns the existing object", arguments: NamePart.allCases)
  func ifNotExists(_ part: NamePart) async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createParents()
    try await fixture.create(part, "kept", comment: "first")
    try await fixture.create(part, "kept", comment: "second", ifNotExists: true)
    let comment: String
    switch part {
    case .catalog: comment = try await fixture.getCatalog("kept").comment
    case .schema: comment = try await fixture.getSchema("main.kept").comment
    case .table: comment = try await fixture.getTable("main.sales.kept").comment
    }
    #expect(comment == "first")
  }

  @Test("if_not_exists does not cross object kinds")
  func ifNotExistsOtherKind() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createParents()
    try await fixture.create(SchemaObjectKind.table, "shared")
    let error = await #expect(throws: RPCError.self) {
      try await fixture.create(SchemaObjectKind.volume, "shared", ifNotExists: true)
    }
    #expect(error?.code == .alreadyExists)
  }

  @Test("concurrent creates of one name", arguments: NamePart.allCases)
  func concurrentCreates(_ part: NamePart) async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createParents()
    let codes = await withTaskGroup(of: StatusCode.self) { group in
      for _ in 0..<20 {
        group.addTask { () async -> StatusCode in
          do throws(RPCError) {
            try await fixture.create(part, "raced")
            return .ok
          } catch {
            return error.code
          }
        }
      }
      var codes: [StatusCode] = []
      for await code in group { codes.append(code) }
      return codes
    }
    #expect(codes.filter { $0 == .ok }.count == 1)
    #expect(codes.filter { $0 == .alreadyExists }.count == 19)
    let fullName = part.fullName("raced")
    #expect(try fixture.policyChildren(of: part.parentName).filter { $0 == fullName }.count == 1)
    switch part {
    case .catalog: #expect(try await fixture.getCatalog(fullName).name == fullName)
    case .schema: #expect(try await fixture.getSchema(fullName).fullName == fullName)
    case .table: #expect(try await fixture.getTable(fullName).fullName == fullName)
    }
  }

  @Test("concurrent creates with if_not_exists", arguments: NamePart.allCases)
  func concurrentIfNotExists(_ part: NamePart) async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createParents()
    let names = try await withThrowingTaskGroup(of: String.self) { group in
      for _ in 0..<20 {
        group.addTask { try await fixture.create(part, "raced", ifNotExists: true) }
      }
      var names: [String] = []
      for try await name in group { names.append(name) }
      return names
    }
    let fullName = part.fullName("raced")
    #expect(names == Array(repeating: fullName, count: 20))
    #expect(try fixture.policyChildren(of: part.parentName).filter { $0 == fullName }.count == 1)
  }
}
