import EdgecatCrypto
import EdgecatProto
import EdgecatRPC
import EdgecatRegistry
import Testing

@Suite("Environment binding over gRPC", .serialized)
struct EnvironmentTests {
  static let model = "prod.ml.detector"

  /// Starts the services with the catalog `prod` bound to `production`, and the model
  /// `prod.ml.detector` in it with version 1 READY and the alias `champion` on it.
  static func makeWorld() async throws -> RegistryFixture {
    let fixture = try await RegistryFixture.start()
    var createCatalog = Edgecat_Catalog_V1_CreateCatalogRequest()
    createCatalog.name = "prod"
    createCatalog.environments = ["production"]
    let _: Edgecat_Catalog_V1_CatalogInfo = try await fixture.catalog(
      "CreateCatalog", createCatalog, token: fixture.adminToken, environment: "production")
    var createSchema = Edgecat_Catalog_V1_CreateSchemaRequest()
    createSchema.catalogName = "prod"
    createSchema.name = "ml"
    let _: Edgecat_Catalog_V1_SchemaInfo = try await fixture.catalog(
      "CreateSchema", createSchema, token: fixture.adminToken, environment: "production")

    var createModel = Edgecat_Registry_V1_CreateRegisteredModelRequest()
    createModel.catalogName = "prod"
    createModel.schemaName = "ml"
    createModel.name = "detector"
    let _: Edgecat_Registry_V1_RegisteredModel = try await fixture.call(
      "CreateRegisteredModel", createModel, token: fixture.adminToken, environment: "production")
    var createVersion = EngineFixture.versionRequest()
    createVersion.modelFullName = model
    let _: ModelVersionMessage = try await fixture.call(
      "CreateModelVersion", createVersion, token: fixture.adminToken, environment: "production")
    try await fixture.upload(
      artifactBytes(100), to: 1, model: model, token: fixture.adminToken,
      environment: "production")
    var alias = Edgecat_Registry_V1_SetModelAliasRequest()
    alias.modelFullName = model
    alias.alias = "champion"
    alias.version = 1
    let _: Edgecat_Registry_V1_ModelAlias = try await fixture.call(
      "SetModelAlias", alias, token: fixture.adminToken, environment: "production")
    return fixture
  }

  static func getVersion(_ fixture: RegistryFixture, environment: String?) async throws
    -> ModelVersionMessage
  {
    var request = Edgecat_Registry_V1_GetModelVersionRequest()
    request.modelFullName = model
    request.version = 1
    return try await fixture.call(
      "GetModelVersion", request, token: fixture.adminToken, environment: environment)
  }

  static func resolve(_ fixture: RegistryFixture, environment: String?) async throws
    -> ModelVersionMessage
  {
    var request = Edgecat_Registry_V1_ResolveModelURIRequest()
    request.uri = "models:/\(model)@champion"
    return try await fixture.call(
      "ResolveModelURI", request, token: fixture.adminToken, environment: environment)
  }

  static func isNotFound(_ error: any Error) -> Bool {
    (error as? RPCError)?.code == .notFound
  }

  @Test("bound model is found from its environment")
  func foundInEnvironment() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    let version = try await Self.getVersion(fixture, environment: "production")
    #expect(version.version == 1)
    let resolved = try await Self.resolve(fixture, environment: "production")
    #expect(resolved.version == 1)
    let messages = try await fixture.download(
      1, model: Self.model, token: fixture.adminToken, environment: "production")
    #expect(messages.flatMap(\.data) == artifactBytes(100))
  }

  @Test("bound model is not found from another environment")
  func hiddenFromOtherEnvironment() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    for environment in ["staging", nil] {
      await #expect(
        performing: {
          try await Self.getVersion(fixture, environment: environment)
        }, throws: Self.isNotFound)
      await #expect(
        performing: {
          try await Self.resolve(fixture, environment: environment)
        }, throws: Self.isNotFound)
      await #expect(
        performing: {
          try await fixture.download(
            1, model: Self.model, token: fixture.adminToken, environment: environment)
        }, throws: Self.isNotFound)
    }
  }

  @Test("unprivileged user gets NOT_FOUND elsewhere")
  func unprivilegedHidden() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    // Bob has no privilege on the model, so from staging he must get the NOT_FOUND that a
    // missing model gets, not a PERMISSION_DENIED that shows the model exists.
    var request = Edgecat_Registry_V1_GetModelVersionRequest()
    request.modelFullName = Self.model
    request.version = 1
    await #expect(
      performing: {
        let _: ModelVersionMessage = try await fixture.call(
          "GetModelVersion", request, token: fixture.bobToken, environment: "staging")
      }, throws: Self.isNotFound)
  }
}
