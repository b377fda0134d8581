import EdgecatCrypto
import EdgecatProto
import EdgecatRPC
import EdgecatRegistry

/// Short constructors of the registry requests the tests send, as alice unless a token is given.
extension RegistryFixture {
  @discardableResult
  func createModel(_ name: String = "defects", token: String? = nil, comment: String = "")
    async throws(RPCError) -> Edgecat_Registry_V1_RegisteredModel
  {
    var request = Edgecat_Registry_V1_CreateRegisteredModelRequest()
    request.catalogName = "main"
    request.schemaName = "ml"
    request.name = name
    request.comment = comment
    return try await call("CreateRegisteredModel", request, token: token ?? aliceToken)
  }

  @discardableResult
  func createVersion(
    _ model: String = "main.ml.defects", tables: [String] = [], token: String? = nil
  ) async throws(RPCError) -> ModelVersionMessage {
    var request = EngineFixture.versionRequest(tables: tables)
    request.modelFullName = model
    return try await call("CreateModelVersion", request, token: token ?? aliceToken)
  }

  func getVersion(_ number: Int64, model: String = "main.ml.defects", token: String? = nil)
    async throws(RPCError) -> ModelVersionMessage
  {
    var request = Edgecat_Registry_V1_GetModelVersionRequest()
    request.modelFullName = model
    request.version = number
    return try await call("GetModelVersion", request, token: token ?? aliceToken)
  }

  @discardableResult
  func setAlias(_ alias: String, _ number: Int64, model: String = "main.ml.defects")
    async throws(RPCError) -> Edgecat_Registry_V1_ModelAlias
  {
    var request = Edgecat_Registry_V1_SetModelAliasRequest()
    request.modelFullName = model
    request.alias = alias
    request.version = number
    return try await call("SetModelAlias", request, token: aliceToken)
  }

  func resolve(_ uri: String, token: String? = nil) async throws(RPCError) -> ModelVersionMessage {
    var request = Edgecat_Registry_V1_ResolveModelURIRequest()
    request.uri = uri
    return try await call("ResolveModelURI", request, token: token ?? aliceToken)
  }

  /// Uploads `bytes` in chunks after a header declaring `sha256` and `size`, their real hash
  /// and size unless given. With `sendCount`, only that many bytes are sent before the stream
  /// is closed normally. With `cancelAfter`, the call is cancelled after that many bytes.
  /// With `environment`, the request names it in `x-edgecat-environment`.
  @discardableResult
  func upload(
    _ bytes: [UInt8], to number: Int64, model: String = "main.ml.defects",
    sha256: String? = nil, size: Int64? = nil, sendCount: Int? = nil, cancelAfter: Int? = nil,
    token: String? = nil, environment: String? = nil
  ) async throws -> ModelVersionMessage {
    var metadata = Metadata()
    metadata.add("authorization", "Bearer \(token ?? aliceToken)")
    if let environment { metadata.add("x-edgecat-environment", environment) }
    let client = RPCClient(endpoint: registryEndpoint, group: group)
    defer { client.close() }
    let call: TypedCall<Edgecat_Registry_V1_UploadArtifactRequest, ModelVersionMessage> =
      client.makeCall(
        "/edgecat.registry.v1.ModelRegistryService/UploadArtifact", metadata: metadata,
        timeout: .seconds(20))
    var header = Edgecat_Registry_V1_ArtifactHeader()
    header.modelFullName = model
    header.version = number
    header.sha256 = sha256 ?? SHA256.hexDigest(bytes)
    header.sizeBytes = size ?? Int64(bytes.count)
    var first = Edgecat_Registry_V1_UploadArtifactRequest()
    first.header = header
    try await call.send(first)

    let limit = min(bytes.count, sendCount ?? cancelAfter ?? bytes.count)
    var offset = 0
    while offset < limit {
      let end = min(limit, offset + 4096)
      var message = Edgecat_Registry_V1_UploadArtifactRequest()
      message.chunk = Array(bytes[offset..<end])
      try await call.send(message)
      offset = end
    }
    if cancelAfter != nil {
      call.cancel()
      throw RPCError(.cancelled, "the test cancelled the upload")
    }
    call.closeSend()

    var response: ModelVersionMessage?
    for try await message in call.responses { response = message }
    let status = await call.status
    guard status.code == .ok, let response else { throw RPCError(status: status) }
    return response
  }

  /// Downloads a version's artifact from `offset` and returns every message. With
  /// `environment`, the request names it in `x-edgecat-environment`.
  func download(
    _ number: Int64, offset: Int64 = 0, model: String = "main.ml.defects",
    token: String? = nil, environment: String? = nil
  ) async throws -> [Edgecat_Registry_V1_DownloadArtifactResponse] {
    var metadata = Metadata()
    metadata.add("authorization", "Bearer \(token ?? aliceToken)")
    if let environment { metadata.add("x-edgecat-environment", environment) }
    let client = RPCClient(endpoint: registryEndpoint, group: group)
    defer { client.close() }
    let call:
      TypedCall<
        Edgecat_Registry_V1_DownloadArtifactRequest, Edgecat_Registry_V1_DownloadArtifactResponse
      > = client.makeCall(
        "/edgecat.registry.v1.ModelRegistryService/DownloadArtifact", metadata: metadata,
        timeout: .seconds(20))
    var request = Edgecat_Registry_V1_DownloadArtifactRequest()
    request.modelFullName = model
    request.version = number
    request.offset = offset
    try await call.send(request)
    call.closeSend()
    var messages: [Edgecat_Registry_V1_DownloadArtifactResponse] = []
    for try await message in call.responses { messages.append(message) }
    let status = await call.status
    guard status.code == .ok else { throw RPCError(status: status) }
    return messages
  }

  /// Lists the files of the registry's blob folder and its tmp folder.
  func blobFiles() -> [String] {
    EngineFixture.files(in: folder + "/blobs")
  }
}
