import EdgecatProto
import EdgecatRPC
import Testing

/// Catalogs bound to environments are visible only to requests from those environments.
@Suite("Environment binding", .serialized)
struct EnvironmentTests {
  static func makeWorld() async throws -> CatalogFixture {
    let fixture = try await CatalogFixture.start()
    try await fixture.createCatalog("production", environments: ["production"])
    try await fixture.createCatalog("shared")
    var schema = Edgecat_Catalog_V1_CreateSchemaRequest()
    schema.catalogName = "production"
    schema.name = "ml"
    let _: Edgecat_Catalog_V1_SchemaInfo = try await fixture.call(
      "CreateSchema", schema, token: fixture.adminToken, environment: "production")
    return fixture
  }

  func getCatalog(_ fixture: CatalogFixture, _ name: String, environment: String?)
    async throws(RPCError) -> Edgecat_Catalog_V1_CatalogInfo
  {
    var request = Edgecat_Catalog_V1_GetCatalogRequest()
    request.name = name
    return try await fixture.call(
      "GetCatalog", request, token: fixture.adminToken, environment: environment)
  }

  @Test("bound catalog is found in its environment")
  func foundInEnvironment() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    let catalog = try await getCatalog(fixture, "production", environment: "production")
    #expect(catalog.environments == ["production"])
  }

  @Test("bound catalog is NOT_FOUND elsewhere", arguments: ["staging", nil] as [String?])
  func notFoundElsewhere(environment: String?) async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    await #expect {
      _ = try await getCatalog(fixture, "production", environment: environment)
    } throws: { error in
      guard let error = error as? RPCError else { return false }
      return error.code == .notFound && error.message.contains("x-edgecat-environment")
    }
  }

  @Test("objects inside follow the binding")
  func objectsInside() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    var request = Edgecat_Catalog_V1_GetSchemaRequest()
    request.fullName = "production.ml"
    await #expect {
      let _: Edgecat_Catalog_V1_SchemaInfo = try await fixture.call(
        "GetSchema", request, token: fixture.adminToken, environment: "staging")
    } throws: { error in
      (error as? RPCError)?.code == .notFound
    }
  }

  @Test("listing hides catalogs bound elsewhere")
  func listing() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    let staging: Edgecat_Catalog_V1_ListCatalogsResponse = try await fixture.call(
      "ListCatalogs", Edgecat_Catalog_V1_ListCatalogsRequest(), token: fixture.adminToken,
      environment: "staging")
    #expect(staging.catalogs.map(\.name) == ["shared"])
    let production: Edgecat_Catalog_V1_ListCatalogsResponse = try await fixture.call(
      "ListCatalogs", Edgecat_Catalog_V1_ListCatalogsRequest(), token: fixture.adminToken,
      environment: "production")
    #expect(production.catalogs.map(\.name) == ["production", "shared"])
  }

  @Test("update rebinds a catalog")
  func rebind() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    var request = Edgecat_Catalog_V1_UpdateCatalogRequest()
    request.name = "production"
    request.updateMask = ["environments"]
    let _: Edgecat_Catalog_V1_CatalogInfo = try await fixture.call(
      "UpdateCatalog", request, token: fixture.adminToken, environment: "production")
    let catalog = try await getCatalog(fixture, "production", environment: "staging")
    #expect(catalog.environments.isEmpty)
  }
}
