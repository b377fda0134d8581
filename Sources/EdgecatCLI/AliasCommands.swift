import EdgecatProto

/// `edgecat alias`: named pointers to model versions, such as champion, and model URIs.
enum AliasCommands {
  static let aliasArgument = ArgumentSpec(
    "ALIAS", help: "1 to 255 letters, digits, _ and -; latest and v<digits> are reserved")

  static let noun = Noun(
    "alias", "model aliases such as champion, and models:/ URIs",
    verbs: [
      Verb(
        "set", "point an alias at a version, moving it when it names another",
        arguments: [
          ModelCommands.nameArgument, aliasArgument, ModelVersionCommands.versionArgument,
        ]
      ) { invocation in
        let arguments = invocation.arguments
        var request = Edgecat_Registry_V1_SetModelAliasRequest()
        request.modelFullName = try ModelCommands.modelName(arguments.positionals[0])
        request.alias = arguments.positionals[1]
        let text = arguments.positionals[2]
        guard let version = Int64(text), version > 0 else {
          throw CLIError.usage(
            "version \"\(text)\" is invalid; use a version number from 1, such as 3")
        }
        request.version = version
        let alias: Edgecat_Registry_V1_ModelAlias = try await invocation.clients.call(
          .registry, "SetModelAlias", request)
        return .message(
          RegistryJSON.alias(alias, model: request.modelFullName),
          text: "\(request.modelFullName)@\(alias.alias) now names version \(alias.version)")
      },
      Verb(
        "delete", "delete an alias", arguments: [ModelCommands.nameArgument, aliasArgument]
      ) { invocation in
        var request = Edgecat_Registry_V1_DeleteModelAliasRequest()
        request.modelFullName = try ModelCommands.modelName(invocation.arguments.positionals[0])
        request.alias = invocation.arguments.positionals[1]
        let _: Edgecat_Registry_V1_DeleteModelAliasResponse = try await invocation.clients.call(
          .registry, "DeleteModelAlias", request)
        return .message(
          .object([
            ("model_full_name", .string(request.modelFullName)),
            ("deleted_alias", .string(request.alias)),
          ]),
          text: "deleted alias \(request.alias) of \(request.modelFullName)")
      },
      Verb(
        "get", "show the version an alias names",
        arguments: [ModelCommands.nameArgument, aliasArgument]
      ) { invocation in
        var request = Edgecat_Registry_V1_GetModelVersionByAliasRequest()
        request.modelFullName = try ModelCommands.modelName(invocation.arguments.positionals[0])
        request.alias = invocation.arguments.positionals[1]
        let version: Edgecat_Registry_V1_ModelVersion = try await invocation.clients.call(
          .registry, "GetModelVersionByAlias", request)
        return .record(RegistryJSON.version(version))
      },
      Verb(
        "resolve", "show the version a model URI names",
        arguments: [
          ArgumentSpec(
            "URI",
            help: "models:/CATALOG.SCHEMA.MODEL/VERSION, models:/CATALOG.SCHEMA.MODEL@ALIAS or"
              + " models:/CATALOG.SCHEMA.MODEL/latest")
        ]
      ) { invocation in
        let uri = invocation.arguments.positionals[0]
        guard uri.hasPrefix("models:/") else {
          throw CLIError.usage(
            "URI \"\(uri)\" is invalid; use models:/CATALOG.SCHEMA.MODEL/VERSION,"
              + " models:/CATALOG.SCHEMA.MODEL@ALIAS or models:/CATALOG.SCHEMA.MODEL/latest")
        }
        var request = Edgecat_Registry_V1_ResolveModelURIRequest()
        request.uri = uri
        let version: Edgecat_Registry_V1_ModelVersion = try await invocation.clients.call(
          .registry, "ResolveModelURI", request)
        return .record(RegistryJSON.version(version))
      },
    ])
}
