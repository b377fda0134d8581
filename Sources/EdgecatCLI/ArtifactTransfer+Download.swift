import EdgecatProto

extension ArtifactTransfer {
  static func download(_ invocation: Invocation) async throws -> CommandOutput {
    let arguments = invocation.arguments
    let (model, number) = try ModelVersionCommands.modelVersion(arguments)
    let path = arguments.positionals[2]
    let start = try await startOffset(arguments, path: path)

    let call:
      StreamingCall<
        Edgecat_Registry_V1_DownloadArtifactRequest, Edgecat_Registry_V1_DownloadArtifactResponse
      > =
        try invocation.clients.stream(.registry, "DownloadArtifact", timeout: nil)
    var request = Edgecat_Registry_V1_DownloadArtifactRequest()
    request.modelFullName = model
    request.version = number
    request.offset = start
    try await call.send(request)
    call.closeSend()

    // The file is opened at the first message, so a failed call leaves it as it was.
    var file: ArtifactFile?
    var expected: (sha256: String, size: Int64)?
    var position = start
    var progress: ProgressBar?
    do {
      try await call.forEachResponse { message in
        if file == nil {
          expected = (message.sha256, message.sizeBytes)
          file = try await ArtifactFile.open(writing: path, from: start)
          progress = ProgressBar(
            label: "download", total: message.sizeBytes, initial: start,
            console: invocation.console)
        }
        guard message.offset == position else {
          throw CLIError.failure(
            "edgecat-registry sent bytes at offset \(message.offset) where \(position) was"
              + " expected; download again")
        }
        try await file!.write(message.data)
        position += Int64(message.data.count)
        progress?.advance(by: message.data.count)
      }
    } catch let error as CLIError where position > start {
      // The bytes written so far stay in the file, so the download can continue from there.
      progress?.finish()
      throw CLIError(
        error.kind,
        error.message + "; \(path) keeps the first \(position) bytes, so run the download"
          + " again with --resume to continue", statusCode: error.statusCode)
    }
    progress?.finish()
    guard let file, let expected else {
      throw CLIError.failure("edgecat-registry ended the download without sending the artifact")
    }
    try await file.sync()
    return try await verify(
      path: path, expected: expected, model: model, version: number, start: start)
  }

  /// Returns the first byte to download: `--offset`, the file's size for `--resume`, or 0.
  private static func startOffset(_ arguments: ParsedArguments, path: String) async throws
    -> Int64
  {
    let size = try await ArtifactFile.size(atPath: path)
    if arguments.has("resume") {
      guard !arguments.has("offset") else {
        throw CLIError.usage("give --offset or --resume, not both")
      }
      return size ?? 0
    }
    guard let offset = try arguments.integer("offset", in: 0...Int(Int64.max)) else { return 0 }
    guard offset <= size ?? 0 else {
      throw CLIError.usage(
        "--offset \(offset) is past the end of \(path), which has \(size ?? 0) bytes; use"
          + " --resume or an offset up to \(size ?? 0)")
    }
    return Int64(offset)
  }

  /// Checks the whole file's size and SHA-256 against the artifact's.
  private static func verify(
    path: String, expected: (sha256: String, size: Int64), model: String, version: Int64,
    start: Int64
  ) async throws -> CommandOutput {
    let actual = try await ArtifactFile.digest(ofPath: path)
    guard actual.size == expected.size, actual.sha256 == expected.sha256 else {
      throw CLIError.failure(
        "\(path) does not match the artifact of \(model) version \(version): it has"
          + " \(actual.size) bytes with SHA-256 \(actual.sha256), the artifact has"
          + " \(expected.size) bytes with SHA-256 \(expected.sha256); delete the file and"
          + " download again without --offset or --resume")
    }
    return .message(
      .object([
        ("model_full_name", .string(model)),
        ("version", .integer(version)),
        ("path", .string(path)),
        ("offset", .integer(start)),
        ("bytes_received", .integer(actual.size - start)),
        ("size_bytes", .integer(actual.size)),
        ("sha256", .string(actual.sha256)),
        ("verified", .bool(true)),
      ]),
      text: "downloaded \(model) version \(version) to \(path): \(actual.size) bytes,"
        + " SHA-256 \(actual.sha256) verified")
  }
}
