import EdgecatProto
import EdgecatRPC
import EdgecatRegistry
import Testing

@Suite("Devices and deployment rules", .serialized)
struct FleetTests {
  @Test("only admins register and update devices")
  func adminsOnly() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    let token = try await fixture.registerDevice("dev-a")
    var register = Edgecat_Registry_V1_RegisterDeviceRequest()
    register.deviceID = "dev-b"
    await #expect {
      let _: DeviceMessage = try await fixture.call(
        "RegisterDevice", register, token: fixture.bobToken)
    } throws: { error in
      (error as? RPCError)?.code == .permissionDenied
    }
    var update = Edgecat_Registry_V1_UpdateDeviceRequest()
    update.deviceID = "dev-a"
    update.region = "us"
    await #expect {
      let _: DeviceMessage = try await fixture.call("UpdateDevice", update, token: token)
    } throws: { error in
      (error as? RPCError)?.code == .permissionDenied
    }
    let updated: DeviceMessage = try await fixture.call(
      "UpdateDevice", update, token: fixture.adminToken)
    #expect(updated.region == "us")
    #expect(updated.location == "plant 7")
    await #expect {
      try await fixture.registerDevice("dev-a")
    } throws: { error in
      (error as? RPCError)?.code == .alreadyExists
    }
  }

  @Test("devices are listed by selector")
  func listBySelector() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.registerDevice("cam-1", group: "line-1", labels: ["camera": "rgb"])
    try await fixture.registerDevice("cam-2", group: "line-2", labels: ["camera": "rgb"])
    try await fixture.registerDevice("cam-3", group: "line-1", labels: ["camera": "ir"])
    func list(_ selector: DeviceSelector) async throws -> [String] {
      var request = Edgecat_Registry_V1_ListDevicesRequest()
      request.selector = selector
      let response: Edgecat_Registry_V1_ListDevicesResponse = try await fixture.call(
        "ListDevices", request, token: fixture.adminToken)
      return response.devices.map(\.deviceID)
    }
    var byGroup = DeviceSelector()
    byGroup.group = "line-1"
    #expect(try await list(byGroup) == ["cam-1", "cam-3"])
    var byLabel = DeviceSelector()
    byLabel.labels = ["camera": "rgb"]
    #expect(try await list(byLabel) == ["cam-1", "cam-2"])
    var byBoth = byGroup
    byBoth.labels = ["camera": "rgb"]
    #expect(try await list(byBoth) == ["cam-1"])
    var byIDs = DeviceSelector()
    byIDs.deviceIds = ["cam-3", "cam-2"]
    #expect(try await list(byIDs) == ["cam-2", "cam-3"])
    #expect(try await list(DeviceSelector()) == ["cam-1", "cam-2", "cam-3"])
  }

  @Test("a device reports and reads only its own state")
  func deviceOwnState() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    let tokenA = try await fixture.registerDevice("dev-a")
    try await fixture.registerDevice("dev-b")
    try await fixture.report("dev-a", version: 3, state: .running, token: tokenA)
    let device = try #require(await fixture.registryEngine.device("dev-a"))
    #expect(device.report?.models.first?.version == 3)
    await #expect {
      try await fixture.report("dev-b", version: 3, state: .running, token: tokenA)
    } throws: { error in
      (error as? RPCError)?.code == .permissionDenied
    }
    var own = Edgecat_Registry_V1_GetDesiredStateRequest()
    own.deviceID = "dev-a"
    let state: DesiredStateMessage = try await fixture.call("GetDesiredState", own, token: tokenA)
    #expect(state.models.isEmpty)
    var other = own
    other.deviceID = "dev-b"
    await #expect {
      let _: DesiredStateMessage = try await fixture.call("GetDesiredState", other, token: tokenA)
    } throws: { error in
      (error as? RPCError)?.code == .permissionDenied
    }
  }

  @Test("reports fold model names and reject repeats")
  func reportValidation() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    let token = try await fixture.registerDevice("dev-a")
    func model(_ name: String, state: Edgecat_Registry_V1_ModelRunState = .running)
      -> Edgecat_Registry_V1_ReportedModel
    {
      var model = Edgecat_Registry_V1_ReportedModel()
      model.modelFullName = name
      model.version = 2
      model.state = state
      return model
    }
    func send(_ models: [Edgecat_Registry_V1_ReportedModel]) async throws {
      var request = Edgecat_Registry_V1_ReportDeviceStateRequest()
      request.deviceID = "dev-a"
      request.models = models
      let _: Edgecat_Registry_V1_ReportDeviceStateResponse = try await fixture.call(
        "ReportDeviceState", request, token: token)
    }

    try await send([model("Main.ML.Defects")])
    let device = try #require(await fixture.registryEngine.device("dev-a"))
    #expect(device.report?.models.map(\.modelFullName) == ["main.ml.defects"])
    await #expect {
      try await send([model("main.ml.defects"), model("MAIN.ml.defects", state: .failed)])
    } throws: { error in
      guard let error = error as? RPCError else { return false }
      return error.code == .invalidArgument && error.message.contains("main.ml.defects")
    }
    await #expect {
      try await send([model("main.ml.defects", state: .unspecified)])
    } throws: { error in
      guard let error = error as? RPCError else { return false }
      return error.code == .invalidArgument && error.message.contains("RUNNING")
    }
  }

  @Test("report size caps")
  func reportCaps() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    let token = try await fixture.registerDevice("dev-a")
    var request = Edgecat_Registry_V1_ReportDeviceStateRequest()
    request.deviceID = "dev-a"
    request.models = Self.reportedModels(DeviceRules.maxReportedModels + 1)
    let tooMany = await rpcError {
      let _: Edgecat_Registry_V1_ReportDeviceStateResponse = try await fixture.call(
        "ReportDeviceState", request, token: token)
    }
    #expect(tooMany?.code == .invalidArgument)
    #expect(tooMany?.message.hasPrefix("models has 65 entries; report at most 64") == true)

    request.models = Self.reportedModels(1)
    request.agentVersion = String(repeating: "9", count: DeviceRules.maxAgentVersionBytes + 1)
    let longVersion = await rpcError {
      let _: Edgecat_Registry_V1_ReportDeviceStateResponse = try await fixture.call(
        "ReportDeviceState", request, token: token)
    }
    #expect(longVersion?.code == .invalidArgument)
    #expect(longVersion?.message.hasPrefix("agent_version has 129 bytes") == true)
  }

  @Test("long reports split device pages")
  func pagesBoundedByBytes() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    // 24 devices whose reports take about 70 KB each: more than one page's 1 MiB.
    var ids: [String] = []
    for index in 0..<24 {
      let id = "dev-" + (index < 10 ? "0" : "") + String(index)
      let token = try await fixture.registerDevice(id)
      var request = Edgecat_Registry_V1_ReportDeviceStateRequest()
      request.deviceID = id
      request.models = Self.reportedModels(DeviceRules.maxReportedModels)
      let _: Edgecat_Registry_V1_ReportDeviceStateResponse = try await fixture.call(
        "ReportDeviceState", request, token: token)
      ids.append(id)
    }

    var listed: [String] = []
    var pages = 0
    var request = Edgecat_Registry_V1_ListDevicesRequest()
    request.pageSize = 100
    repeat {
      let response: Edgecat_Registry_V1_ListDevicesResponse = try await fixture.call(
        "ListDevices", request, token: fixture.adminToken)
      #expect(!response.devices.isEmpty)
      listed += response.devices.map(\.deviceID)
      pages += 1
      request.pageToken = response.nextPageToken
    } while !request.pageToken.isEmpty && pages < 30
    #expect(pages > 1)
    #expect(listed == ids)
  }

  /// `count` running models, each with a message of the longest length a report takes.
  static func reportedModels(_ count: Int) -> [Edgecat_Registry_V1_ReportedModel] {
    (0..<count).map { index in
      var model = Edgecat_Registry_V1_ReportedModel()
      model.modelFullName = "main.ml.model_\(index)"
      model.version = 1
      model.state = .running
      model.message = String(repeating: "m", count: 1000)
      return model
    }
  }

  @Test("invalid device and deployment ids", arguments: ["", "bad id"])
  func invalidIDs(_ id: String) async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    func expectInvalid(_ call: () async throws -> Void) async {
      await #expect {
        try await call()
      } throws: { error in
        guard let error = error as? RPCError else { return false }
        return error.code == .invalidArgument && error.message.contains("\"\(id)\"")
      }
    }

    var get = Edgecat_Registry_V1_GetDeviceRequest()
    get.deviceID = id
    await expectInvalid {
      let _: DeviceMessage = try await fixture.call("GetDevice", get, token: fixture.adminToken)
    }
    await expectInvalid { _ = try await fixture.desiredState(id) }
    var update = Edgecat_Registry_V1_UpdateDeviceRequest()
    update.deviceID = id
    update.region = "us"
    await expectInvalid {
      let _: DeviceMessage = try await fixture.call(
        "UpdateDevice", update, token: fixture.adminToken)
    }
    var deregister = Edgecat_Registry_V1_DeregisterDeviceRequest()
    deregister.deviceID = id
    await expectInvalid {
      let _: Edgecat_Registry_V1_DeregisterDeviceResponse = try await fixture.call(
        "DeregisterDevice", deregister, token: fixture.adminToken)
    }
    if id.isEmpty {
      await #expect {
        _ = try await fixture.deployment(id)
      } throws: { error in
        guard let error = error as? RPCError else { return false }
        return error.code == .invalidArgument && error.message.contains("deployment_id")
      }
    }
  }

  @Test("deploying needs DEPLOY")
  func deployNeedsPrivilege() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createModel()
    try await fixture.readyVersions(1)
    try await fixture.registerDevice("dev-a")
    try await fixture.grant(["USE_CATALOG"], on: .catalog, "main", to: RegistryFixture.bob)
    try await fixture.grant(["USE_SCHEMA"], on: .schema, "main.ml", to: RegistryFixture.bob)
    try await fixture.grant(
      ["EXECUTE"], on: .registeredModel, "main.ml.defects", to: RegistryFixture.bob)
    await #expect {
      _ = try await fixture.deploy(version: 1, token: fixture.bobToken)
    } throws: { error in
      guard let error = error as? RPCError else { return false }
      return error.code == .permissionDenied && error.message.contains("DEPLOY")
    }
  }

  @Test("deployments check versions, selectors and stages")
  func deploymentPreconditions() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createModel()
    try await fixture.readyVersions(1)
    try await fixture.createVersion()
    try await fixture.registerDevice("dev-a")
    await #expect {
      _ = try await fixture.deploy(version: 2)
    } throws: { error in
      guard let error = error as? RPCError else { return false }
      return error.code == .failedPrecondition && error.message.contains("PENDING_REGISTRATION")
    }
    var nobody = DeviceSelector()
    nobody.group = "no-such-group"
    await #expect {
      _ = try await fixture.deploy(version: 1, selector: nobody)
    } throws: { error in
      (error as? RPCError)?.code == .failedPrecondition
    }
    var mistyped = DeviceSelector()
    mistyped.deviceIds = ["dev-a", "dev-z"]
    await #expect {
      _ = try await fixture.deploy(version: 1, selector: mistyped)
    } throws: { error in
      guard let error = error as? RPCError else { return false }
      return error.code == .notFound && error.message.contains("dev-z")
        && !error.message.contains("dev-a")
    }
    var empty = DeviceSelector()
    empty.deviceIds = [""]
    await #expect {
      _ = try await fixture.deploy(version: 1, selector: empty)
    } throws: { error in
      (error as? RPCError)?.code == .invalidArgument
    }
    await #expect {
      _ = try await fixture.deploy(version: 1, stages: [50, 40, 100])
    } throws: { error in
      (error as? RPCError)?.code == .invalidArgument
    }
    _ = try await fixture.deploy(version: 1, stages: [100])
    var delete = Edgecat_Registry_V1_DeleteModelVersionRequest()
    delete.modelFullName = "main.ml.defects"
    delete.version = 1
    await #expect {
      let _: Edgecat_Registry_V1_DeleteModelVersionResponse = try await fixture.call(
        "DeleteModelVersion", delete, token: fixture.aliceToken)
    } throws: { error in
      (error as? RPCError)?.code == .failedPrecondition
    }
  }

  @Test("a model drop clears desired states")
  func dropClearsDesiredState() async throws {
    let fixture = try await RegistryFixture.start()
    defer { Task { await fixture.stop() } }
    try await fixture.createModel()
    try await fixture.readyVersions(1)
    try await fixture.registerDevice("dev-a")
    _ = try await fixture.deploy(version: 1, stages: [100])
    #expect(try await fixture.desiredVersion("dev-a") == 1)
    var drop = Edgecat_Catalog_V1_DeleteSchemaRequest()
    drop.fullName = "main.ml"
    drop.force = true
    let _: Edgecat_Catalog_V1_DeleteResponse = try await fixture.catalog(
      "DeleteSchema", drop, token: fixture.adminToken)
    let cleared = try await fixture.eventually {
      try await fixture.desiredVersion("dev-a") == 0
    }
    #expect(cleared)
  }
}

/// Runs `body` and returns the RPCError it threw, or nil when it succeeded or threw another
/// error.
private func rpcError(_ body: () async throws -> Void) async -> RPCError? {
  do {
    try await body()
    return nil
  } catch let error as RPCError {
    return error
  } catch {
    return nil
  }
}
