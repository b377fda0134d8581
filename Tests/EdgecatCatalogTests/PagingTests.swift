import EdgecatProto
import EdgecatRPC
import Testing

/// One page of a listing: the names it returned and its next_page_token.
struct ListedPage {
  let names: [String]
  let nextPageToken: String
}

extension CatalogFixture {
  /// Creates schema `main.<schema>` and a table `main.<schema>.<name>` for each name. Tables
  /// are created 50 at a time, so that the catalog and policy stores commit them in groups.
  func createSchemaWithTables(_ schema: String, _ names: [String]) async throws {
    try await createSchema("main", schema)
    for start in stride(from: 0, to: names.count, by: 50) {
      try await withThrowingTaskGroup(of: Void.self) { group in
        for name in names[start..<min(start + 50, names.count)] {
          group.addTask { try await self.createTable("main", schema, name) }
        }
        try await group.waitForAll()
      }
    }
  }

  /// Reads ListTables of `schema` page by page until a page has an empty token, stopping
  /// after `maximumPages` pages so that a token that never ends fails the test.
  func listTablePages(
    _ schema: String, pageSize: Int32, maximumPages: Int, token: String? = nil
  ) async throws -> [ListedPage] {
    var pages: [ListedPage] = []
    var pageToken = ""
    repeat {
      let response = try await listTables(
        schema, pageSize: pageSize, pageToken: pageToken, token: token)
      pages.append(
        ListedPage(names: response.tables.map(\.name), nextPageToken: response.nextPageToken))
      pageToken = response.nextPageToken
    } while !pageToken.isEmpty && pages.count < maximumPages
    return pages
  }
}

/// Table names `t0` to `t<count - 1>`, which sort differently from their numbers.
func tableNames(_ count: Int) -> [String] {
  (0..<count).map { "t\($0)" }
}

/// Checks that `pages` list exactly `expected` in name order, `pageSize` names to a page, and
/// that only the last page has an empty next_page_token.
func expectExactPages(
  _ pages: [ListedPage], _ expected: [String], pageSize: Int,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let listed = pages.flatMap(\.names)
  #expect(listed.count == Set(listed).count, "duplicates", sourceLocation: sourceLocation)
  #expect(Set(listed) == Set(expected), "gaps or extras", sourceLocation: sourceLocation)
  #expect(listed == listed.sorted(), "name order", sourceLocation: sourceLocation)
  let pageCount = (expected.count + pageSize - 1) / pageSize
  #expect(pages.count == max(pageCount, 1), "page count", sourceLocation: sourceLocation)
  #expect(
    pages.dropLast().allSatisfy { $0.names.count == pageSize }, "full pages",
    sourceLocation: sourceLocation)
  #expect(
    pages.dropLast().allSatisfy { !$0.nextPageToken.isEmpty }, "tokens before the end",
    sourceLocation: sourceLocation)
  #expect(pages.last?.nextPageToken == "", "empty token at the end", sourceLocation: sourceLocation)
}

@Suite("Table listing pages", .serialized)
struct PagingTests {
  @Test("2,500 tables by 100 and 1000")
  func largeSchema() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    let names = tableNames(2500)
    try await fixture.createSchemaWithTables("big", names)
    // A page_size above 1000 is clamped to 1000.
    for (pageSize, expectedSize) in [(100, 100), (1000, 1000), (5000, 1000)] {
      let pages = try await fixture.listTablePages(
        "main.big", pageSize: Int32(pageSize), maximumPages: 30)
      expectExactPages(pages, names, pageSize: expectedSize)
    }
  }

  @Test("200 tables one at a time")
  func pageSizeOne() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    let names = tableNames(200)
    try await fixture.createSchemaWithTables("small", names)
    let pages = try await fixture.listTablePages("main.small", pageSize: 1, maximumPages: 210)
    expectExactPages(pages, names, pageSize: 1)
  }

  @Test("300 tables in exactly 3 pages")
  func multipleOfPageSize() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    let names = tableNames(300)
    try await fixture.createSchemaWithTables("even", names)
    let pages = try await fixture.listTablePages("main.even", pageSize: 100, maximumPages: 5)
    #expect(pages.count == 3)
    #expect(pages.last?.names.count == 100)
    #expect(pages.last?.nextPageToken == "")
    expectExactPages(pages, names, pageSize: 100)
  }

  @Test("page_size 0 means 100")
  func defaultPageSize() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    let names = tableNames(101)
    try await fixture.createSchemaWithTables("s", names)
    let pages = try await fixture.listTablePages("main.s", pageSize: 0, maximumPages: 5)
    #expect(pages.map(\.names.count) == [100, 1])
    expectExactPages(pages, names, pageSize: 100)
  }

  @Test("empty schema is one empty page")
  func emptySchema() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.createSchemaWithTables("empty", [])
    let pages = try await fixture.listTablePages("main.empty", pageSize: 10, maximumPages: 5)
    #expect(pages.count == 1)
    #expect(pages.first?.names == [])
    #expect(pages.first?.nextPageToken == "")
  }

  @Test("negative page_size is INVALID_ARGUMENT")
  func negativePageSize() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.createSchemaWithTables("s", tableNames(3))
    let error = await #expect(throws: RPCError.self) {
      try await fixture.listTables("main.s", pageSize: -1)
    }
    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains("page_size -1") == true)
  }

  @Test("ListSchemas token is rejected by ListTables")
  func schemaTokenRejected() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.createSchemaWithTables("a", tableNames(3))
    try await fixture.createSchemaWithTables("b", tableNames(3))
    let schemas = try await fixture.listSchemas("main", pageSize: 1)
    #expect(!schemas.nextPageToken.isEmpty)
    let error = await #expect(throws: RPCError.self) {
      try await fixture.listTables("main.a", pageSize: 1, pageToken: schemas.nextPageToken)
    }
    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains("page_token") == true)
  }

  @Test("token of another schema is rejected")
  func otherSchemaTokenRejected() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.createSchemaWithTables("a", tableNames(3))
    try await fixture.createSchemaWithTables("b", tableNames(3))
    let first = try await fixture.listTables("main.a", pageSize: 1)
    #expect(!first.nextPageToken.isEmpty)
    let error = await #expect(throws: RPCError.self) {
      try await fixture.listTables("main.b", pageSize: 1, pageToken: first.nextPageToken)
    }
    #expect(error?.code == .invalidArgument)
  }

  @Test("user sees only granted tables", arguments: [1, 2, 3, 4, 100])
  func partialVisibility(_ pageSize: Int) async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    let names = tableNames(60)
    try await fixture.createSchemaWithTables("s", names)
    let user = "alice@example.com"
    try await fixture.grant(["USE_CATALOG"], on: .catalog, "main", to: user)
    try await fixture.grant(["USE_SCHEMA"], on: .schema, "main.s", to: user)
    // Every seventh table by number: nine tables spread across the name order.
    let granted = stride(from: 0, to: names.count, by: 7).map { names[$0] }
    for name in granted {
      try await fixture.grant(["SELECT"], on: .table, "main.s." + name, to: user)
    }
    let pages = try await fixture.listTablePages(
      "main.s", pageSize: Int32(pageSize), maximumPages: 20, token: fixture.aliceToken)
    expectExactPages(pages, granted, pageSize: pageSize)
  }
}
