import EdgecatLog
import EdgecatProto
import EdgecatRPC
import EdgecatStore

extension ArtifactFetcher {
  /// Streams the artifact from `offset` and appends each chunk to `partial`, fsynced.
  func download(_ model: InstalledModel, from offset: Int64, into partial: String)
    async throws(Failure)
  {
    var request = Edgecat_Registry_V1_DownloadArtifactRequest()
    request.modelFullName = model.modelFullName
    request.version = model.version
    request.offset = offset
    let call:
      TypedCall<
        Edgecat_Registry_V1_DownloadArtifactRequest, Edgecat_Registry_V1_DownloadArtifactResponse
      > = uplink.registry.makeCall(
        Uplink.registryPath("DownloadArtifact"), metadata: uplink.metadata)
    defer { call.cancel() }
    var position = offset
    var first = true
    do {
      try await call.send(request)
      call.closeSend()
      for try await message in call.responses {
        if first {
          first = false
          try check(header: message, model)
        }
        guard message.offset == position else {
          throw Failure(
            description: "the registry sent bytes at offset \(message.offset) where"
              + " \(position) was expected", retryable: true)
        }
        guard !message.data.isEmpty else { continue }
        let data = message.data
        try await file { () throws(FileError) in try ModelFolder.append(data, to: partial) }
        position += Int64(data.count)
        try CrashPoint.checkThrowing(CrashPoint.afterDownloadPartial)
      }
    } catch let failure as Failure {
      throw failure
    } catch let error as RPCError where error.code == .outOfRange && offset > 0 {
      // A partial file longer than the artifact cannot be a prefix of it.
      try await file { () throws(FileError) in try ModelFolder.remove(partial) }
      throw Failure(
        description: "the partial download of \(model) is longer than the artifact and was"
          + " deleted", retryable: true)
    } catch let error as RPCError {
      throw Self.failure(error, model)
    } catch {
      throw Failure(description: "the download of \(model) failed: \(error)", retryable: true)
    }
    let status = await call.status
    guard status.code == .ok else { throw Self.failure(RPCError(status: status), model) }
  }

  /// Checks the first message's hash against the desired one.
  func check(
    header: Edgecat_Registry_V1_DownloadArtifactResponse, _ model: InstalledModel
  ) throws(Failure) {
    guard header.sha256 == model.sha256 else {
      throw Failure(
        description: "the registry's artifact of \(model) has SHA-256 \(header.sha256), not"
          + " the desired \(model.sha256)", retryable: false)
    }
  }
}
