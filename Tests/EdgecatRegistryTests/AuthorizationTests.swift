import EdgecatProto
import EdgecatRPC
import EdgecatRegistry
import Testing

@Suite("Registry authorization", .serialized)
struct AuthorizationTests {
  /// A model of alice's with one READY version, and bob with usage on main.ml but no
  /// privilege on the model.
  static func makeWorld() async throws -> RegistryFixture {
    let fixture = try await RegistryFixture.start()
    try await fixture.createModel()
    try await fixture.createVersion()
    try await fixture.upload(artifactBytes(1000), to: 1)
    try await fixture.grant(["USE_CATALOG"], on: .catalog, "main", to: RegistryFixture.bob)
    try await fixture.grant(["USE_SCHEMA"], on: .schema, "main.ml", to: RegistryFixture.bob)
    return fixture
  }

  static func denied(_ error: any Error, naming privilege: String) -> Bool {
    guard let error = error as? RPCError else { return false }
    return error.code == .permissionDenied && error.message.contains(privilege)
      && error.message.contains(RegistryFixture.bob)
  }

  @Test("reading a version needs EXECUTE")
  func readNeedsExecute() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    await #expect {
      _ = try await fixture.getVersion(1, token: fixture.bobToken)
    } throws: { Self.denied($0, naming: "EXECUTE") }
    await #expect {
      _ = try await fixture.download(1, token: fixture.bobToken)
    } throws: { Self.denied($0, naming: "EXECUTE") }
    await #expect {
      _ = try await fixture.resolve("models:/main.ml.defects/1", token: fixture.bobToken)
    } throws: { Self.denied($0, naming: "EXECUTE") }
  }

  @Test("usage is named before the privilege")
  func usageFirst() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createModel()
    await #expect {
      _ = try await fixture.getVersion(1, token: fixture.bobToken)
    } throws: { error in
      guard let error = error as? RPCError, error.code == .permissionDenied,
        let usage = error.message.firstRange(of: "USE_CATALOG")
      else { return false }
      return error.message[usage.upperBound...].contains("EXECUTE")
    }
  }

  @Test("changing versions needs MANAGE")
  func changesNeedManage() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    try await fixture.grant(
      ["EXECUTE"], on: .registeredModel, "main.ml.defects", to: RegistryFixture.bob)
    let version = try await fixture.getVersion(1, token: fixture.bobToken)
    #expect(version.status == .ready)
    let downloaded = try await fixture.download(1, token: fixture.bobToken)
    #expect(downloaded.flatMap(\.data) == artifactBytes(1000))
    await #expect {
      try await fixture.createVersion(token: fixture.bobToken)
    } throws: { Self.denied($0, naming: "MANAGE") }
    await #expect {
      try await fixture.upload(artifactBytes(10), to: 1, token: fixture.bobToken)
    } throws: { Self.denied($0, naming: "MANAGE") }
    var alias = Edgecat_Registry_V1_SetModelAliasRequest()
    alias.modelFullName = "main.ml.defects"
    alias.alias = "champion"
    alias.version = 1
    await #expect {
      let _: Edgecat_Registry_V1_ModelAlias = try await fixture.call(
        "SetModelAlias", alias, token: fixture.bobToken)
    } throws: { Self.denied($0, naming: "MANAGE") }
    var delete = Edgecat_Registry_V1_DeleteModelVersionRequest()
    delete.modelFullName = "main.ml.defects"
    delete.version = 1
    await #expect {
      let _: Edgecat_Registry_V1_DeleteModelVersionResponse = try await fixture.call(
        "DeleteModelVersion", delete, token: fixture.bobToken)
    } throws: { Self.denied($0, naming: "MANAGE") }
  }

  @Test("a missing model is NOT_FOUND")
  func missingModel() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    await #expect {
      _ = try await fixture.getVersion(1, model: "main.ml.nothing")
    } throws: { error in
      (error as? RPCError)?.code == .notFound
    }
  }

  @Test("audit events are for admins")
  func auditEvents() async throws {
    let fixture = try await Self.makeWorld()
    defer { Task { await fixture.stop() } }
    var request = Edgecat_Audit_V1_ListAuditEventsRequest()
    await #expect {
      let _: Edgecat_Audit_V1_ListAuditEventsResponse = try await fixture.call(
        "ListAuditEvents", request, token: fixture.bobToken)
    } throws: { error in
      (error as? RPCError)?.code == .permissionDenied
    }
    request.securable = "main.ml.defects"
    let response: Edgecat_Audit_V1_ListAuditEventsResponse = try await fixture.call(
      "ListAuditEvents", request, token: fixture.adminToken)
    let actions = response.events.map(\.action)
    #expect(actions.contains("CreateRegisteredModel"))
    #expect(actions.contains("CreateModelVersion"))
    #expect(actions.contains("UploadArtifact"))
    #expect(response.events.allSatisfy { $0.service == "registry" })
  }
}
