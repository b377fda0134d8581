import EdgecatProto

/// `edgecat model`: registered models, kept by the registry in a schema of the catalog.
enum ModelCommands {
  static let listColumns = [
    TableColumn("full_name", header: "FULL_NAME"), TableColumn("owner"),
    TableColumn("latest_version", header: "LATEST"), TableColumn("aliases"),
    TableColumn("comment"),
  ]
  static let nameArgument = ArgumentSpec("CATALOG.SCHEMA.MODEL", help: "model full name")
  static let tag = FlagSpec(
    "tag", value: "KEY=VALUE", repeatable: true, help: "tag set on the new object")

  static let noun = Noun(
    "model", "registered models of the model registry",
    verbs: [
      Verb(
        "create", "create a registered model; needs CREATE_MODEL on its schema",
        arguments: [nameArgument], flags: [NameArguments.comment, tag], run: create),
      Verb(
        "get", "show a model with its tags, aliases and latest version", arguments: [nameArgument]
      ) { invocation in
        var request = Edgecat_Registry_V1_GetRegisteredModelRequest()
        request.fullName = try modelName(invocation.arguments.positionals[0])
        let model: Edgecat_Registry_V1_RegisteredModel = try await invocation.clients.call(
          .registry, "GetRegisteredModel", request)
        return .record(RegistryJSON.model(model))
      },
      Verb(
        "list", "list the models you may see, in one schema or in all",
        arguments: [ArgumentSpec("CATALOG.SCHEMA", optional: true, help: "only this schema")],
        flags: Paging.flags
      ) { invocation in
        let schema = try invocation.arguments.positional(0).map {
          try NameArguments.split($0, parts: 2, kind: "schema").joined(separator: ".")
        }
        let models = try await Paging.collect(invocation.arguments) { size, token in
          var request = Edgecat_Registry_V1_ListRegisteredModelsRequest()
          request.schemaFullName = schema ?? ""
          request.pageSize = size
          request.pageToken = token
          let response: Edgecat_Registry_V1_ListRegisteredModelsResponse =
            try await invocation
            .clients.call(.registry, "ListRegisteredModels", request)
          return (response.models, response.nextPageToken)
        }
        return .list(models.map(RegistryJSON.model), columns: listColumns)
      },
      Verb(
        "update", "change a model's comment or owner", arguments: [nameArgument],
        flags: [NameArguments.comment, NameArguments.owner]
      ) { invocation in
        let arguments = invocation.arguments
        var request = Edgecat_Registry_V1_UpdateRegisteredModelRequest()
        request.fullName = try modelName(arguments.positionals[0])
        request.comment = arguments["comment"] ?? ""
        request.owner = arguments["owner"] ?? ""
        request.updateMask = try NameArguments.updateMask(
          arguments, fields: ["comment": "comment", "owner": "owner"])
        let model: Edgecat_Registry_V1_RegisteredModel = try await invocation.clients.call(
          .registry, "UpdateRegisteredModel", request)
        return .record(RegistryJSON.model(model))
      },
      Verb(
        "delete", "delete a model", arguments: [nameArgument],
        flags: [.toggle("force", help: "also delete its versions, aliases and artifacts")]
      ) { invocation in
        var request = Edgecat_Registry_V1_DeleteRegisteredModelRequest()
        request.fullName = try modelName(invocation.arguments.positionals[0])
        request.force = invocation.arguments.has("force")
        let response: Edgecat_Registry_V1_DeleteRegisteredModelResponse =
          try await invocation
          .clients.call(.registry, "DeleteRegisteredModel", request)
        let versions = response.deletedVersions.map { "\($0)" }.joined(separator: ", ")
        return .message(
          .object([
            ("deleted", .string(request.fullName)),
            ("deleted_versions", .array(response.deletedVersions.map(JSONValue.integer))),
          ]),
          text: "deleted \(request.fullName)"
            + (versions.isEmpty ? "" : " with versions \(versions)"))
      },
    ] + ModelTagCommands.verbs)

  static func create(_ invocation: Invocation) async throws -> CommandOutput {
    let arguments = invocation.arguments
    let parts = try NameArguments.split(arguments.positionals[0], parts: 3, kind: "model")
    var request = Edgecat_Registry_V1_CreateRegisteredModelRequest()
    request.catalogName = parts[0]
    request.schemaName = parts[1]
    request.name = parts[2]
    request.comment = arguments["comment"] ?? ""
    request.tags = try tags(arguments)
    let model: Edgecat_Registry_V1_RegisteredModel = try await invocation.clients.call(
      .registry, "CreateRegisteredModel", request)
    return .record(RegistryJSON.model(model))
  }

  /// Checks that `text` is a three-part model name and returns it.
  static func modelName(_ text: String) throws -> String {
    try NameArguments.split(text, parts: 3, kind: "model").joined(separator: ".")
  }

  /// The `--tag KEY=VALUE` values as tags, by key.
  static func tags(_ arguments: ParsedArguments) throws -> [Edgecat_Catalog_V1_Tag] {
    try arguments.pairs("tag").sorted { $0.key < $1.key }.map { key, value in
      var tag = Edgecat_Catalog_V1_Tag()
      tag.key = key
      tag.value = value
      return tag
    }
  }
}
