import EdgecatProto

/// `edgecat model-version tag set|delete`: the tags of one model version.
enum ModelVersionTagCommands {
  static let verbs = [
    Verb(
      "tag set", "set one tag of a version, replacing the value of an existing key",
      arguments: ModelVersionCommands.modelAndVersion + [
        ModelTagCommands.keyArgument,
        ArgumentSpec("VALUE", optional: true, help: "tag value (default: empty)"),
      ]
    ) { invocation in
      let arguments = invocation.arguments
      var request = Edgecat_Registry_V1_SetModelVersionTagRequest()
      (request.modelFullName, request.version) = try ModelVersionCommands.modelVersion(arguments)
      var tag = Edgecat_Catalog_V1_Tag()
      tag.key = arguments.positionals[2]
      tag.value = arguments.positional(3) ?? ""
      request.tag = tag
      let _: Edgecat_Registry_V1_SetModelVersionTagResponse = try await invocation.clients.call(
        .registry, "SetModelVersionTag", request)
      return ModelTagCommands.tagMessage(
        "set", subject: subject(request.modelFullName, request.version),
        named: "\(request.modelFullName) version \(request.version)", key: tag.key,
        value: tag.value)
    },
    Verb(
      "tag delete", "delete one tag of a version",
      arguments: ModelVersionCommands.modelAndVersion + [ModelTagCommands.keyArgument]
    ) { invocation in
      let arguments = invocation.arguments
      var request = Edgecat_Registry_V1_DeleteModelVersionTagRequest()
      (request.modelFullName, request.version) = try ModelVersionCommands.modelVersion(arguments)
      request.key = arguments.positionals[2]
      let _: Edgecat_Registry_V1_DeleteModelVersionTagResponse = try await invocation.clients
        .call(.registry, "DeleteModelVersionTag", request)
      return ModelTagCommands.tagMessage(
        "deleted", subject: subject(request.modelFullName, request.version),
        named: "\(request.modelFullName) version \(request.version)", key: request.key,
        value: nil)
    },
  ]

  private static func subject(_ model: String, _ version: Int64) -> [(String, JSONValue)] {
    [("model_full_name", .string(model)), ("version", .integer(version))]
  }
}
