import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatRegistry
import EdgecatServiceKit

extension RegistryServer {
  /// The maximum number of artifact bytes one download message carries, well below the 4 MiB message limit.
  static let downloadChunkBytes = 256 * 1024

  var artifactMethods: [RPCMethod] {
    [
      .clientStreaming(Self.path("UploadArtifact")) {
        (requests: RequestStream<Edgecat_Registry_V1_UploadArtifactRequest>, context) in
        let caller = try await caller(context)
        var messages = requests.makeAsyncIterator()
        guard case .header(let header)? = try await messages.next()?.part else {
          throw RPCError(
            .invalidArgument,
            "the first UploadArtifact message carries no header; send the model, version,"
              + " sha256 and size_bytes first")
        }
        return try await upload(header, rest: &messages, caller)
      },
      .serverStreaming(Self.path("DownloadArtifact")) {
        (
          request: Edgecat_Registry_V1_DownloadArtifactRequest,
          writer: ResponseStreamWriter<Edgecat_Registry_V1_DownloadArtifactResponse>, context
        ) in
        let caller = try await caller(context)
        let download = try await auditedRead(
          caller, "DownloadArtifact", request.modelFullName,
          [("version", "\(request.version)"), ("offset", "\(request.offset)")]
        ) { () throws(RPCError) in
          let model = try modelName(request.modelFullName)
          try requireVersionNumber(request.version)
          try await authorize(caller, "EXECUTE", model: model)
          let download = try await mappedAsync { () async throws(ServiceError) in
            try await engine.openArtifact(model, request.version)
          }
          guard request.offset >= 0 else {
            throw RPCError(
              .invalidArgument,
              "offset \(request.offset) is negative; use 0 to \(download.size), or 0 for the"
                + " whole artifact")
          }
          guard request.offset <= download.size else {
            throw RPCError(
              .outOfRange,
              "offset \(request.offset) is outside the artifact of \(download.size) bytes; use"
                + " 0 to \(download.size)")
          }
          return download
        }
        try await send(download, from: request.offset, to: writer)
      },
    ]
  }

  /// Stores the chunks that follow the header, then checks them. A client that goes away
  /// mid-stream leaves the version pending and no file.
  private func upload(
    _ header: Edgecat_Registry_V1_ArtifactHeader,
    rest messages: inout RequestStream<Edgecat_Registry_V1_UploadArtifactRequest>.AsyncIterator,
    _ caller: Caller
  ) async throws -> ModelVersionMessage {
    let parameters = [
      ("version", "\(header.version)"), ("sha256", header.sha256),
      ("size_bytes", "\(header.sizeBytes)"),
    ]
    let audit = auditRecord(caller, "UploadArtifact", header.modelFullName, parameters)
    var upload: ArtifactUpload?
    do {
      let model = try modelName(header.modelFullName)
      try requireVersionNumber(header.version)
      try await authorize(caller, "MANAGE", model: model)
      let started = try await mappedAsync { () async throws(ServiceError) in
        try await engine.beginUpload(
          model, header.version, sha256: header.sha256, size: header.sizeBytes, audit: audit)
      }
      upload = started
      while let message = try await messages.next() {
        guard case .chunk(let chunk)? = message.part else {
          throw RPCError(
            .invalidArgument, "only the first UploadArtifact message may carry a header")
        }
        try await mappedAsync { () async throws(ServiceError) in try await started.append(chunk) }
      }
      let record = try await mappedAsync { () async throws(ServiceError) in
        try await started.finish()
      }
      return versionMessage(record)
    } catch {
      upload?.cancel()
      let code = (error as? RPCError)?.code ?? .cancelled
      if upload?.failedRegistration != true {
        var failure = audit
        failure.result = code.description
        engine.auditBuffer.append(failure)
      }
      if code == .cancelled || code == .internal {
        logger.warning(
          "artifact upload ended early",
          [
            "model": header.modelFullName, "version": header.version,
            "request.id": caller.requestID, "error": "\(error)",
          ])
      }
      throw error
    }
  }

  /// Streams the artifact from `offset` in chunks. The first message carries the whole
  /// artifact's hash and size, and is sent even when no bytes follow the offset.
  private func send(
    _ download: ArtifactDownload, from offset: Int64,
    to writer: ResponseStreamWriter<Edgecat_Registry_V1_DownloadArtifactResponse>
  ) async throws {
    var position = offset
    var first = true
    while first || position < download.size {
      let count = Int(min(Int64(Self.downloadChunkBytes), download.size - position))
      var message = Edgecat_Registry_V1_DownloadArtifactResponse()
      message.offset = position
      message.data =
        count > 0
        ? try await mappedAsync { () async throws(ServiceError) in
          try await download.read(at: position, count: count)
        } : []
      if first {
        message.sha256 = download.sha256
        message.sizeBytes = download.size
        first = false
      }
      try await writer.write(message)
      position += Int64(message.data.count)
      if message.data.isEmpty { break }
    }
  }
}
