import EdgecatProto

/// `edgecat model-version upload|download`: artifact files streamed in chunks, with a
/// progress bar on a terminal.
enum ArtifactTransfer {
  /// Bytes per upload message, well below the 4 MiB message limit.
  static let chunkSize = 256 * 1024

  static let downloadFlags = [
    FlagSpec(
      "offset", value: "BYTES",
      help: "start at this byte, keeping the file's first BYTES bytes (default: 0, a new file)"),
    .toggle("resume", help: "continue a partial download: start at the file's current size"),
  ]

  static let progressDetails = """
    A progress bar with bytes, rate and time left goes to stderr when stderr is a terminal.
    Transfers have no deadline: --timeout applies to each other call only.
    """

  static func upload(_ invocation: Invocation) async throws -> CommandOutput {
    let arguments = invocation.arguments
    let (model, number) = try ModelVersionCommands.modelVersion(arguments)
    let path = arguments.positionals[2]
    let digest = try await ArtifactFile.digest(ofPath: path)
    let file = try await ArtifactFile.open(reading: path)

    // NOTE: the call has no deadline, so a server that stops reading stalls the upload until
    // it is interrupted; a per-chunk timer would end it.
    let call:
      StreamingCall<Edgecat_Registry_V1_UploadArtifactRequest, Edgecat_Registry_V1_ModelVersion> =
        try invocation.clients.stream(.registry, "UploadArtifact", timeout: nil)
    var header = Edgecat_Registry_V1_ArtifactHeader()
    header.modelFullName = model
    header.version = number
    header.sha256 = digest.sha256
    header.sizeBytes = digest.size
    var first = Edgecat_Registry_V1_UploadArtifactRequest()
    first.header = header
    try await call.send(first)

    let progress = ProgressBar(label: "upload", total: digest.size, console: invocation.console)
    var sent: Int64 = 0
    while true {
      let bytes = try await file.read(upTo: chunkSize)
      if bytes.isEmpty { break }
      sent += Int64(bytes.count)
      guard sent <= digest.size else {
        call.cancel()
        throw CLIError.failure("\(path) grew while it was uploaded; upload it again when unchanged")
      }
      var message = Edgecat_Registry_V1_UploadArtifactRequest()
      message.chunk = bytes
      try await call.send(message)
      progress.advance(by: bytes.count)
    }
    call.closeSend()
    var version: Edgecat_Registry_V1_ModelVersion?
    try await call.forEachResponse { version = $0 }
    progress.finish()
    guard let version else {
      throw CLIError.failure("edgecat-registry ended the upload without returning the version")
    }
    return .record(RegistryJSON.version(version))
  }
}
