import EdgecatProto
import EdgecatRPC
import Testing

/// Updates of comments, properties and owners, and tags.
@Suite("Updates and tags", .serialized)
struct UpdateTests {
  @Test("owner transfer reaches the policy service")
  func transfer() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    var request = Edgecat_Catalog_V1_UpdateCatalogRequest()
    request.name = "main"
    request.owner = "alice@example.com"
    request.comment = "the main catalog"
    let updated: Edgecat_Catalog_V1_CatalogInfo = try await fixture.call(
      "UpdateCatalog", request, token: fixture.adminToken)
    #expect(updated.owner == "alice@example.com")
    #expect(updated.comment == "the main catalog")
    #expect(try fixture.policyEngine.securable(named: "main").owner == "alice@example.com")
  }

  @Test("comment control characters")
  func commentControlCharacters() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    var request = Edgecat_Catalog_V1_UpdateCatalogRequest()
    request.name = "main"
    request.comment = "line one\n\tline two\r\n"
    let updated: Edgecat_Catalog_V1_CatalogInfo = try await fixture.call(
      "UpdateCatalog", request, token: fixture.adminToken)
    #expect(updated.comment == "line one\n\tline two\r\n")
    request.comment = "red \u{1B}[31m text"
    await #expect {
      let _: Edgecat_Catalog_V1_CatalogInfo = try await fixture.call(
        "UpdateCatalog", request, token: fixture.adminToken)
    } throws: { error in
      guard let error = error as? RPCError else { return false }
      return error.code == .invalidArgument && error.message.contains("U+1B")
    }
    var get = Edgecat_Catalog_V1_GetCatalogRequest()
    get.name = "main"
    let info: Edgecat_Catalog_V1_CatalogInfo = try await fixture.call(
      "GetCatalog", get, token: fixture.adminToken)
    #expect(info.comment == "line one\n\tline two\r\n")
  }

  @Test("a user without MANAGE cannot update")
  func updateDenied() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    try await fixture.grant(["USE_CATALOG"], on: .catalog, "main", to: "alice@example.com")
    var request = Edgecat_Catalog_V1_UpdateCatalogRequest()
    request.name = "main"
    request.comment = "mine now"
    await #expect {
      let _: Edgecat_Catalog_V1_CatalogInfo = try await fixture.call(
        "UpdateCatalog", request, token: fixture.aliceToken)
    } throws: { error in
      guard let error = error as? RPCError else { return false }
      return error.code == .permissionDenied && error.message.contains("MANAGE")
    }
  }

  @Test("an unknown update_mask field is rejected")
  func badMask() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    var request = Edgecat_Catalog_V1_UpdateCatalogRequest()
    request.name = "main"
    request.updateMask = ["colour"]
    await #expect {
      let _: Edgecat_Catalog_V1_CatalogInfo = try await fixture.call(
        "UpdateCatalog", request, token: fixture.adminToken)
    } throws: { error in
      guard let error = error as? RPCError else { return false }
      return error.code == .invalidArgument && error.message.contains("colour")
    }
  }

  @Test("tags are set, replaced, listed and deleted")
  func tags() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    for value in ["gold", "silver"] {
      var request = Edgecat_Catalog_V1_SetTagRequest()
      request.securableType = .catalog
      request.fullName = "main"
      request.tag = Edgecat_Catalog_V1_Tag()
      request.tag?.key = "tier"
      request.tag?.value = value
      let _: Edgecat_Catalog_V1_SetTagResponse = try await fixture.call(
        "SetTag", request, token: fixture.adminToken)
    }
    var list = Edgecat_Catalog_V1_ListTagsRequest()
    list.securableType = .catalog
    list.fullName = "main"
    let listed: Edgecat_Catalog_V1_ListTagsResponse = try await fixture.call(
      "ListTags", list, token: fixture.adminToken)
    #expect(listed.tags.map(\.value) == ["silver"])
    var delete = Edgecat_Catalog_V1_DeleteTagRequest()
    delete.securableType = .catalog
    delete.fullName = "main"
    delete.key = "tier"
    let _: Edgecat_Catalog_V1_DeleteTagResponse = try await fixture.call(
      "DeleteTag", delete, token: fixture.adminToken)
    let after: Edgecat_Catalog_V1_ListTagsResponse = try await fixture.call(
      "ListTags", list, token: fixture.adminToken)
    #expect(after.tags.isEmpty)
  }

  @Test("a tag key with a control character is rejected")
  func badTag() async throws {
    let fixture = try await CatalogFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createCatalog("main")
    var request = Edgecat_Catalog_V1_SetTagRequest()
    request.securableType = .catalog
    request.fullName = "main"
    request.tag = Edgecat_Catalog_V1_Tag()
    request.tag?.key = "bad\u{7}key"
    await #expect {
      let _: Edgecat_Catalog_V1_SetTagResponse = try await fixture.call(
        "SetTag", request, token: fixture.adminToken)
    } throws: { error in
      (error as? RPCError)?.code == .invalidArgument
    }
  }
}
