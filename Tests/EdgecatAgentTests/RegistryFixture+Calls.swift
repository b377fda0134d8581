import EdgecatCrypto
import EdgecatProto
import EdgecatRPC

/// Calls to the services as the admin, which set up what the agent needs.
extension RegistryFixture {
  func call<Request: ProtoMessage, Response: ProtoMessage>(
    _ service: String, _ method: String, _ request: Request, endpoint: Endpoint
  ) async throws(RPCError) -> Response {
    var metadata = Metadata()
    metadata.add("authorization", "Bearer \(adminToken)")
    let client = RPCClient(endpoint: endpoint, group: group)
    defer { client.close() }
    return try await client.unary(
      "/\(service)/\(method)", request, metadata: metadata, timeout: .seconds(20))
  }

  func registry<Request: ProtoMessage, Response: ProtoMessage>(
    _ method: String, _ request: Request
  ) async throws(RPCError) -> Response {
    try await call(
      "edgecat.registry.v1.ModelRegistryService", method, request, endpoint: registryEndpoint)
  }

  func policy<Request: ProtoMessage, Response: ProtoMessage>(
    _ method: String, _ request: Request
  ) async throws(RPCError) -> Response {
    try await call("edgecat.policy.v1.PolicyService", method, request, endpoint: policyEndpoint)
  }

  /// Creates `main.ml.defects`, registers `dev-1` with its principal and EXECUTE on the
  /// model, and returns the device's token.
  func setUpDevice() async throws(RPCError) -> String {
    var createCatalog = Edgecat_Catalog_V1_CreateCatalogRequest()
    createCatalog.name = "main"
    let _: Edgecat_Catalog_V1_CatalogInfo = try await call(
      "edgecat.catalog.v1.CatalogService", "CreateCatalog", createCatalog,
      endpoint: catalogEndpoint)
    var createSchema = Edgecat_Catalog_V1_CreateSchemaRequest()
    createSchema.catalogName = "main"
    createSchema.name = "ml"
    let _: Edgecat_Catalog_V1_SchemaInfo = try await call(
      "edgecat.catalog.v1.CatalogService", "CreateSchema", createSchema,
      endpoint: catalogEndpoint)
    try await createModel("defects")

    var device = Edgecat_Registry_V1_RegisterDeviceRequest()
    device.deviceID = Self.deviceID
    device.group = "line-1"
    device.region = "eu"
    let _: Edgecat_Registry_V1_Device = try await registry("RegisterDevice", device)
    let principal = "device:\(Self.deviceID)"
    var createPrincipal = Edgecat_Policy_V1_CreatePrincipalRequest()
    createPrincipal.name = principal
    createPrincipal.type = .servicePrincipal
    let _: Edgecat_Policy_V1_Principal = try await policy("CreatePrincipal", createPrincipal)
    var createToken = Edgecat_Policy_V1_CreateTokenRequest()
    createToken.principal = principal
    let token: Edgecat_Policy_V1_CreateTokenResponse = try await policy(
      "CreateToken", createToken)
    try await grant(["USE_CATALOG"], on: .catalog, "main", to: principal)
    try await grant(["USE_SCHEMA", "EXECUTE"], on: .schema, "main.ml", to: principal)
    return token.token
  }

  /// Creates the registered model `main.ml.<name>`.
  func createModel(_ name: String) async throws(RPCError) {
    var request = Edgecat_Registry_V1_CreateRegisteredModelRequest()
    request.catalogName = "main"
    request.schemaName = "ml"
    request.name = name
    let _: Edgecat_Registry_V1_RegisteredModel = try await registry(
      "CreateRegisteredModel", request)
  }

  func grant(
    _ privileges: [String], on type: Edgecat_Policy_V1_SecurableType, _ name: String,
    to principal: String
  ) async throws(RPCError) {
    var request = Edgecat_Policy_V1_UpdatePrivilegesRequest()
    request.principal = principal
    request.privileges = privileges
    request.securableType = type
    request.securableFullName = name
    let _: Edgecat_Policy_V1_UpdatePrivilegesResponse = try await policy("Grant", request)
  }

  /// Creates the next version of `model` with `bytes` as its artifact and returns the version
  /// number and the artifact's hex SHA-256.
  func addVersion(_ bytes: [UInt8], model: String = RegistryFixture.model) async throws
    -> (version: Int64, sha256: String)
  {
    var input = Edgecat_Registry_V1_TensorSpec()
    input.name = "image"
    input.type = "float32"
    input.shape = [-1, 3]
    var output = Edgecat_Registry_V1_TensorSpec()
    output.name = "defect"
    output.type = "float32"
    output.shape = [-1, 2]
    var request = Edgecat_Registry_V1_CreateModelVersionRequest()
    request.modelFullName = model
    request.source = "runs:/abc/model"
    var signature = Edgecat_Registry_V1_ModelSignature()
    signature.inputs = [input]
    signature.outputs = [output]
    request.signature = signature
    let version: Edgecat_Registry_V1_ModelVersion = try await registry(
      "CreateModelVersion", request)
    let sha256 = SHA256.hexDigest(bytes)
    try await upload(bytes, sha256: sha256, model: model, version: version.version)
    return (version.version, sha256)
  }

  private func upload(_ bytes: [UInt8], sha256: String, model: String, version: Int64)
    async throws
  {
    var metadata = Metadata()
    metadata.add("authorization", "Bearer \(adminToken)")
    let client = RPCClient(endpoint: registryEndpoint, group: group)
    defer { client.close() }
    let call:
      TypedCall<Edgecat_Registry_V1_UploadArtifactRequest, Edgecat_Registry_V1_ModelVersion> =
        client.makeCall(
          "/edgecat.registry.v1.ModelRegistryService/UploadArtifact", metadata: metadata,
          timeout: .seconds(20))
    var header = Edgecat_Registry_V1_UploadArtifactRequest()
    header.header.modelFullName = model
    header.header.version = version
    header.header.sha256 = sha256
    header.header.sizeBytes = Int64(bytes.count)
    try await call.send(header)
    var offset = 0
    while offset < bytes.count {
      let end = min(bytes.count, offset + 64 * 1024)
      var chunk = Edgecat_Registry_V1_UploadArtifactRequest()
      chunk.chunk = Array(bytes[offset..<end])
      try await call.send(chunk)
      offset = end
    }
    call.closeSend()
    for try await _ in call.responses {}
    let status = await call.status
    guard status.code == .ok else { throw RPCError(status: status) }
  }

  /// Rolls `version` of `model` out to the device in one stage.
  @discardableResult
  func deploy(_ version: Int64, model: String = RegistryFixture.model) async throws(RPCError)
    -> Edgecat_Registry_V1_Deployment
  {
    var request = Edgecat_Registry_V1_CreateDeploymentRequest()
    request.modelFullName = model
    request.version = version
    var selector = Edgecat_Registry_V1_DeviceSelector()
    selector.deviceIds = [Self.deviceID]
    request.selector = selector
    var strategy = Edgecat_Registry_V1_RolloutStrategy()
    strategy.stagePercents = [100]
    request.strategy = strategy
    return try await registry("CreateDeployment", request)
  }

  /// Reads the device as the registry stores it, with its last report.
  func device() async throws(RPCError) -> Edgecat_Registry_V1_Device {
    var request = Edgecat_Registry_V1_GetDeviceRequest()
    request.deviceID = Self.deviceID
    return try await registry("GetDevice", request)
  }

  /// Returns the state the device last reported for the model, or nil.
  func reported() async throws(RPCError) -> Edgecat_Registry_V1_ReportedModel? {
    try await device().reportedModels.first
  }
}

/// Bytes 0, 1, 2, ... wrapping at 251, shifted by `seed`, so that versions differ.
func artifactBytes(_ count: Int, seed: Int) -> [UInt8] {
  (0..<count).map { UInt8(($0 + seed) % 251) }
}
