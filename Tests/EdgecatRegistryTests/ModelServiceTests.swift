import EdgecatProto
import EdgecatRPC
import EdgecatRegistry
import EdgecatRegistryServer
import EdgecatServiceKit
import Testing

@Suite("Registered models over gRPC", .serialized)
struct ModelServiceTests {
  @Test("a model is created through the catalog")
  func createdInCatalog() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    let model = try await fixture.createModel("Defects", comment: "defect classifier")
    #expect(model.fullName == "main.ml.defects")
    #expect(model.owner == RegistryFixture.alice)
    #expect(model.comment == "defect classifier")
    var lookup = Edgecat_Catalog_V1_GetHostedObjectRequest()
    lookup.type = .registeredModel
    lookup.fullName = "main.ml.defects"
    let hosted: Edgecat_Catalog_V1_HostedObjectInfo = try await fixture.catalog(
      "GetHostedObject", lookup, token: fixture.adminToken)
    #expect(hosted.hostedBy == "registry")
    #expect(hosted.owner == RegistryFixture.alice)
  }

  @Test("creating a model needs CREATE_MODEL")
  func createNeedsPrivilege() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.grant(["USE_CATALOG"], on: .catalog, "main", to: RegistryFixture.bob)
    try await fixture.grant(["USE_SCHEMA"], on: .schema, "main.ml", to: RegistryFixture.bob)
    await #expect {
      try await fixture.createModel(token: fixture.bobToken)
    } throws: { error in
      guard let error = error as? RPCError else { return false }
      return error.code == .permissionDenied && error.message.contains("CREATE_MODEL")
    }
  }

  @Test("tags and comment are kept in the catalog")
  func tagsAndComment() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createModel()
    var tag = Edgecat_Catalog_V1_Tag()
    tag.key = "team"
    tag.value = "vision"
    var setTag = Edgecat_Registry_V1_SetRegisteredModelTagRequest()
    setTag.fullName = "main.ml.defects"
    setTag.tag = tag
    let _: Edgecat_Registry_V1_SetRegisteredModelTagResponse = try await fixture.call(
      "SetRegisteredModelTag", setTag, token: fixture.aliceToken)
    var update = Edgecat_Registry_V1_UpdateRegisteredModelRequest()
    update.fullName = "main.ml.defects"
    update.comment = "finds scratches"
    let updated: Edgecat_Registry_V1_RegisteredModel = try await fixture.call(
      "UpdateRegisteredModel", update, token: fixture.aliceToken)
    #expect(updated.comment == "finds scratches")
    #expect(updated.tags == [tag])
    var tags = Edgecat_Catalog_V1_ListTagsRequest()
    tags.securableType = .registeredModel
    tags.fullName = "main.ml.defects"
    let listed: Edgecat_Catalog_V1_ListTagsResponse = try await fixture.catalog(
      "ListTags", tags, token: fixture.adminToken)
    #expect(listed.tags == [tag])
  }

  @Test("a model with aliases and latest version")
  func getWithAliases() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createModel()
    try await fixture.createVersion()
    try await fixture.createVersion()
    try await fixture.upload(artifactBytes(100), to: 1)
    try await fixture.setAlias("champion", 1)
    var get = Edgecat_Registry_V1_GetRegisteredModelRequest()
    get.fullName = "main.ml.defects"
    let model: Edgecat_Registry_V1_RegisteredModel = try await fixture.call(
      "GetRegisteredModel", get, token: fixture.aliceToken)
    #expect(model.latestVersion == 1)
    #expect(model.aliases.map(\.alias) == ["champion"])
    var list = Edgecat_Registry_V1_ListRegisteredModelsRequest()
    list.schemaFullName = "main.ml"
    let listed: Edgecat_Registry_V1_ListRegisteredModelsResponse = try await fixture.call(
      "ListRegisteredModels", list, token: fixture.aliceToken)
    #expect(listed.models.map(\.fullName) == ["main.ml.defects"])
  }

  @Test("listed models carry tags and aliases")
  func listWithTagsAndAliases() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    for name in ["alpha", "beta", "gamma"] { try await fixture.createModel(name) }
    try await fixture.createVersion("main.ml.beta")
    try await fixture.upload(artifactBytes(100), to: 1, model: "main.ml.beta")
    try await fixture.setAlias("champion", 1, model: "main.ml.beta")
    var tag = Edgecat_Registry_V1_SetRegisteredModelTagRequest()
    tag.fullName = "main.ml.beta"
    var teamTag = Edgecat_Catalog_V1_Tag()
    teamTag.key = "team"
    teamTag.value = "vision"
    tag.tag = teamTag
    let _: Edgecat_Registry_V1_SetRegisteredModelTagResponse = try await fixture.call(
      "SetRegisteredModelTag", tag, token: fixture.aliceToken)

    var list = Edgecat_Registry_V1_ListRegisteredModelsRequest()
    list.schemaFullName = "main.ml"
    let listed: Edgecat_Registry_V1_ListRegisteredModelsResponse = try await fixture.call(
      "ListRegisteredModels", list, token: fixture.aliceToken)
    #expect(listed.models.map(\.fullName) == ["main.ml.alpha", "main.ml.beta", "main.ml.gamma"])
    let beta = try #require(listed.models.first { $0.fullName == "main.ml.beta" })
    #expect(beta.tags.map(\.key) == ["team"])
    #expect(beta.tags.map(\.value) == ["vision"])
    #expect(beta.aliases.map(\.alias) == ["champion"])
    #expect(beta.latestVersion == 1)
    let alpha = try #require(listed.models.first { $0.fullName == "main.ml.alpha" })
    #expect(alpha.tags.isEmpty)
    #expect(alpha.aliases.isEmpty)
  }

  @Test("deleting a model with versions needs force")
  func deleteNeedsForce() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createModel()
    try await fixture.createVersion()
    try await fixture.upload(artifactBytes(100), to: 1)
    var delete = Edgecat_Registry_V1_DeleteRegisteredModelRequest()
    delete.fullName = "main.ml.defects"
    await #expect {
      let _: Edgecat_Registry_V1_DeleteRegisteredModelResponse = try await fixture.call(
        "DeleteRegisteredModel", delete, token: fixture.aliceToken)
    } throws: { error in
      (error as? RPCError)?.code == .failedPrecondition
    }
    delete.force = true
    let response: Edgecat_Registry_V1_DeleteRegisteredModelResponse = try await fixture.call(
      "DeleteRegisteredModel", delete, token: fixture.aliceToken)
    #expect(response.deletedVersions == [1])
    // The drop follower may delete the model on seeing the catalog's drop first. It removes
    // the unused artifact files after its rows commit, which can be after the response.
    #expect(await fixture.eventually { fixture.blobFiles().isEmpty })
    #expect(fixture.policyEngineHasNoSecurable("main.ml.defects"))
  }

  @Test("a schema force drop removes the model's versions")
  func schemaForceDrop() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createModel()
    try await fixture.createVersion()
    try await fixture.createVersion()
    try await fixture.upload(artifactBytes(500), to: 2)
    try await fixture.setAlias("champion", 2)
    var drop = Edgecat_Catalog_V1_DeleteSchemaRequest()
    drop.fullName = "main.ml"
    drop.force = true
    let dropped: Edgecat_Catalog_V1_DeleteResponse = try await fixture.catalog(
      "DeleteSchema", drop, token: fixture.adminToken)
    #expect(dropped.dropped.contains("main.ml.defects"))
    let engine = fixture.registryEngine
    // The follower deletes the rows first and the unused artifact files after they commit.
    let cleared = try await fixture.eventually {
      try await !engine.hasModel("main.ml.defects") && fixture.blobFiles().isEmpty
    }
    #expect(cleared)
    #expect(try await engine.versionNumbers(of: "main.ml.defects").isEmpty)
    #expect(try await engine.aliases(of: "main.ml.defects").isEmpty)
    #expect(fixture.blobFiles().isEmpty)
  }
}

@Suite("Dropped models at connect", .serialized)
struct DropSweepTests {
  @Test("a new stream removes models dropped while away")
  func sweepOnConnect() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createModel()
    try await fixture.createVersion()
    // State for a model the policy service never had, as a drop missed while no stream was
    // open leaves it.
    let engine = fixture.registryEngine
    _ = try await engine.createVersion(
      of: "main.ml.ghost", EngineFixture.versionRequest(), createdBy: RegistryFixture.alice,
      audit: EngineFixture.audit("CreateModelVersion"))
    let token = try await fixture.registerServiceToken()
    let policy = PolicyClient(
      endpoint: fixture.policyEndpoint, serviceToken: token, group: fixture.group)
    let follower = try ModelDropFollower(engine: engine, policy: policy, principal: "test")
    policy.startWatching()
    let following = Task { await follower.run() }
    defer {
      following.cancel()
      policy.close()
    }
    let swept = try await fixture.eventually { try await !engine.hasModel("main.ml.ghost") }
    #expect(swept)
    #expect(try await engine.hasModel("main.ml.defects"))
  }
}

extension RegistryFixture {
  /// Creates another member of edgecat-services and returns its token.
  func registerServiceToken() async throws(RPCError) -> String {
    var principal = Edgecat_Policy_V1_CreatePrincipalRequest()
    principal.name = "service:sweeper"
    principal.type = .servicePrincipal
    let _: Edgecat_Policy_V1_Principal = try await policy(
      "CreatePrincipal", principal, token: adminToken)
    var member = Edgecat_Policy_V1_GroupMemberRequest()
    member.group = "edgecat-services"
    member.member = "service:sweeper"
    let _: Edgecat_Policy_V1_GroupMemberResponse = try await policy(
      "AddGroupMember", member, token: adminToken)
    var token = Edgecat_Policy_V1_CreateTokenRequest()
    token.principal = "service:sweeper"
    let created: Edgecat_Policy_V1_CreateTokenResponse = try await policy(
      "CreateToken", token, token: adminToken)
    return created.token
  }

  func policyEngineHasNoSecurable(_ fullName: String) -> Bool {
    (try? policyEngine.securable(named: fullName)) == nil
  }
}
