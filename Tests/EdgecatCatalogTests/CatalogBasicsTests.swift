import EdgecatProto
import EdgecatRPC
import Testing

@Suite("Catalog basics", .serialized)
struct CatalogBasicsTests {
  @Test("create registers in policy")
  func createRegisters() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    let catalog = try await fixture.createCatalog("Main")
    #expect(catalog.name == "main")
    #expect(catalog.owner == CatalogFixture.admin)
    try await fixture.createSchema("main", "sales")
    let table = try await fixture.createTable("main", "sales", "orders")
    #expect(table.fullName == "main.sales.orders")
    #expect(table.dataSourceFormat == "DELTA")
    #expect(fixture.securable("main.sales.orders"))
    let fetched = try await fixture.getTable("MAIN.Sales.Orders")
    #expect(fetched.columns.map(\.name) == ["id"])
  }

  @Test("user without grants is denied")
  func userDenied() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.createSchema("main", "sales")
    try await fixture.createTable("main", "sales", "orders")
    await #expect {
      try await fixture.getTable("main.sales.orders", token: fixture.aliceToken)
    } throws: { error in
      (error as? RPCError)?.code == .permissionDenied
    }
    await #expect {
      try await fixture.createSchema("main", "other", token: fixture.aliceToken)
    } throws: { error in
      guard let error = error as? RPCError else { return false }
      return error.code == .permissionDenied && error.message.contains("USE_CATALOG")
    }
  }
}
