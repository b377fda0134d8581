import EdgecatProto

/// `edgecat model-version`: versions of a registered model and their artifacts.
enum ModelVersionCommands {
  static let listColumns = [
    TableColumn("version"), TableColumn("status"), TableColumn("format"),
    TableColumn("aliases"),
    TableColumn(
      "artifact_size", header: "SIZE",
      format: { value in
        guard case .number(let text) = value, let bytes = Int64(text), bytes > 0 else { return "-" }
        return NumberText.bytes(bytes)
      }),
    TableColumn("source"), TableColumn("created_at", header: "CREATED_AT"),
  ]
  static let versionArgument = ArgumentSpec("VERSION", help: "version number, from 1")
  static let modelAndVersion = [ModelCommands.nameArgument, versionArgument]

  static let noun = Noun(
    "model-version", "versions of a registered model and their artifacts",
    verbs: [
      Verb(
        "create", "create the next version of a model, waiting for its artifact",
        arguments: [ModelCommands.nameArgument],
        flags: ModelVersionCreate.flags, details: ModelVersionCreate.details,
        run: ModelVersionCreate.run),
      Verb("get", "show one version", arguments: modelAndVersion) { invocation in
        var request = Edgecat_Registry_V1_GetModelVersionRequest()
        (request.modelFullName, request.version) = try modelVersion(invocation.arguments)
        let version: Edgecat_Registry_V1_ModelVersion = try await invocation.clients.call(
          .registry, "GetModelVersion", request)
        return .record(RegistryJSON.version(version))
      },
      Verb(
        "list", "list the versions of a model by number", arguments: [ModelCommands.nameArgument],
        flags: Paging.flags
      ) { invocation in
        let model = try ModelCommands.modelName(invocation.arguments.positionals[0])
        let versions = try await Paging.collect(invocation.arguments) { size, token in
          var request = Edgecat_Registry_V1_ListModelVersionsRequest()
          request.modelFullName = model
          request.pageSize = size
          request.pageToken = token
          let response: Edgecat_Registry_V1_ListModelVersionsResponse =
            try await invocation
            .clients.call(.registry, "ListModelVersions", request)
          return (response.versions, response.nextPageToken)
        }
        return .list(versions.map(RegistryJSON.version), columns: listColumns)
      },
      Verb(
        "delete", "delete a version with its aliases, and its artifact unless shared",
        arguments: modelAndVersion
      ) { invocation in
        var request = Edgecat_Registry_V1_DeleteModelVersionRequest()
        (request.modelFullName, request.version) = try modelVersion(invocation.arguments)
        let response: Edgecat_Registry_V1_DeleteModelVersionResponse =
          try await invocation
          .clients.call(.registry, "DeleteModelVersion", request)
        let aliases = response.deletedAliases.joined(separator: ", ")
        return .message(
          .object([
            ("model_full_name", .string(request.modelFullName)),
            ("deleted_version", .integer(request.version)),
            ("deleted_aliases", .strings(response.deletedAliases)),
          ]),
          text: "deleted \(request.modelFullName) version \(request.version)"
            + (aliases.isEmpty ? "" : " and its aliases \(aliases)"))
      },
      Verb(
        "upload", "upload the artifact file of a version, which becomes READY when it matches",
        arguments: modelAndVersion + [ArgumentSpec("FILE", help: "artifact file to upload")],
        details: ArtifactTransfer.progressDetails, run: ArtifactTransfer.upload),
      Verb(
        "download", "download the artifact of a READY version to a file and verify its SHA-256",
        arguments: modelAndVersion + [ArgumentSpec("FILE", help: "file to write")],
        flags: ArtifactTransfer.downloadFlags, details: ArtifactTransfer.progressDetails,
        run: ArtifactTransfer.download),
    ] + ModelVersionTagCommands.verbs)

  /// The model name and the version number of the first two arguments.
  static func modelVersion(_ arguments: ParsedArguments) throws -> (String, Int64) {
    let model = try ModelCommands.modelName(arguments.positionals[0])
    let text = arguments.positionals[1]
    guard let version = Int64(text), version > 0 else {
      throw CLIError.usage(
        "version \"\(text)\" is invalid; use a version number from 1, such as 3")
    }
    return (model, version)
  }
}
