import EdgecatProto

/// `edgecat model tag set|delete`: the tags of a registered model.
enum ModelTagCommands {
  static let keyArgument = ArgumentSpec("KEY", help: "tag key")

  static let verbs = [
    Verb(
      "tag set", "set one tag of a model, replacing the value of an existing key",
      arguments: [
        ModelCommands.nameArgument, keyArgument,
        ArgumentSpec("VALUE", optional: true, help: "tag value (default: empty)"),
      ]
    ) { invocation in
      let arguments = invocation.arguments
      var request = Edgecat_Registry_V1_SetRegisteredModelTagRequest()
      request.fullName = try ModelCommands.modelName(arguments.positionals[0])
      var tag = Edgecat_Catalog_V1_Tag()
      tag.key = arguments.positionals[1]
      tag.value = arguments.positional(2) ?? ""
      request.tag = tag
      let _: Edgecat_Registry_V1_SetRegisteredModelTagResponse = try await invocation.clients
        .call(.registry, "SetRegisteredModelTag", request)
      return tagMessage(
        "set", subject: [("model_full_name", .string(request.fullName))],
        named: request.fullName, key: tag.key, value: tag.value)
    },
    Verb(
      "tag delete", "delete one tag of a model",
      arguments: [ModelCommands.nameArgument, keyArgument]
    ) { invocation in
      let arguments = invocation.arguments
      var request = Edgecat_Registry_V1_DeleteRegisteredModelTagRequest()
      request.fullName = try ModelCommands.modelName(arguments.positionals[0])
      request.key = arguments.positionals[1]
      let _: Edgecat_Registry_V1_DeleteRegisteredModelTagResponse = try await invocation.clients
        .call(.registry, "DeleteRegisteredModelTag", request)
      return tagMessage(
        "deleted", subject: [("model_full_name", .string(request.fullName))],
        named: request.fullName, key: request.key, value: nil)
    },
  ]

  /// The output of a tag change: `subject` names the model (and version) in JSON, `named` for
  /// people, such as `main.ml.defects version 3`.
  static func tagMessage(
    _ action: String, subject: [(String, JSONValue)], named: String, key: String, value: String?
  ) -> CommandOutput {
    var json = subject + [("key", .string(key))]
    if let value { json.append(("value", .string(value))) }
    json.append((action, .bool(true)))
    let shown = value.map { "\(key)=\($0)" } ?? key
    return .message(.object(json), text: "\(action) tag \(shown) on \(named)")
  }
}
