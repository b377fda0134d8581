import EdgecatProto

/// `edgecat principal`: users and service principals, and their attributes.
enum PrincipalCommands {
  static let listColumns = [
    TableColumn("name"), TableColumn("type"), TableColumn("groups"), TableColumn("attributes"),
    TableColumn("created_at"),
  ]

  static let noun = Noun(
    "principal", "users, groups and service principals, and their attributes",
    verbs: [
      Verb(
        "create", "create a user or service principal",
        arguments: [ArgumentSpec("NAME", help: "user such as alice@example.com, or service:NAME")],
        flags: [
          FlagSpec(
            "type", value: "TYPE",
            help: "user, group or service_principal (default: service_principal for"
              + " service:* and device:* names, else user)"),
          FlagSpec(
            "attribute", value: "KEY=VALUE", repeatable: true,
            help: "attribute for attribute-based rules, such as region=eu"),
        ],
        run: create),
      Verb("get", "show a principal", arguments: [ArgumentSpec("NAME", help: "principal name")]) {
        invocation in
        .record(
          PolicyJSON.principal(try await get(invocation.arguments.positionals[0], invocation)))
      },
      Verb(
        "list", "list principals by name",
        flags: [FlagSpec("type", value: "TYPE", help: "only user, group or service_principal")]
          + Paging.flags
      ) { invocation in
        let type = try invocation.arguments["type"].map(parseType) ?? .unspecified
        return .list(try await list(type: type, invocation), columns: listColumns)
      },
      Verb(
        "delete", "delete a principal with its tokens, memberships and grants",
        arguments: [ArgumentSpec("NAME", help: "principal name")], run: delete),
      Verb(
        "set-attribute", "set one attribute of a principal",
        arguments: [
          ArgumentSpec("NAME", help: "principal name"),
          ArgumentSpec("KEY", help: "attribute key, such as region"),
          ArgumentSpec("VALUE", help: "attribute value; empty removes the attribute"),
        ], run: setAttribute),
    ])

  static func parseType(_ text: String) throws -> Edgecat_Policy_V1_PrincipalType {
    guard let type = protoEnumValue(text, as: Edgecat_Policy_V1_PrincipalType.self) else {
      throw CLIError.usage(
        "--type \"\(text)\" is not a principal type; use"
          + " \(protoEnumNames(Edgecat_Policy_V1_PrincipalType.self).joined(separator: ", "))")
    }
    return type
  }

  static func create(_ invocation: Invocation) async throws -> CommandOutput {
    let name = invocation.arguments.positionals[0]
    var request = Edgecat_Policy_V1_CreatePrincipalRequest()
    request.name = name
    if let text = invocation.arguments["type"] {
      request.type = try parseType(text)
    } else {
      let isService = name.hasPrefix("service:") || name.hasPrefix("device:")
      request.type = isService ? .servicePrincipal : .user
    }
    request.attributes = try invocation.arguments.pairs("attribute")
    let principal: Edgecat_Policy_V1_Principal = try await invocation.clients.call(
      .policy, "CreatePrincipal", request)
    return .record(PolicyJSON.principal(principal))
  }

  static func get(_ name: String, _ invocation: Invocation) async throws
    -> Edgecat_Policy_V1_Principal
  {
    var request = Edgecat_Policy_V1_GetPrincipalRequest()
    request.name = name
    return try await invocation.clients.call(.policy, "GetPrincipal", request)
  }

  static func list(type: Edgecat_Policy_V1_PrincipalType, _ invocation: Invocation) async throws
    -> [JSONValue]
  {
    let principals = try await Paging.collect(invocation.arguments) { size, token in
      var request = Edgecat_Policy_V1_ListPrincipalsRequest()
      request.type = type
      request.pageSize = size
      request.pageToken = token
      let response: Edgecat_Policy_V1_ListPrincipalsResponse = try await invocation.clients.call(
        .policy, "ListPrincipals", request)
      return (response.principals, response.nextPageToken)
    }
    return principals.map(PolicyJSON.principal)
  }

  static func delete(_ invocation: Invocation) async throws -> CommandOutput {
    var request = Edgecat_Policy_V1_DeletePrincipalRequest()
    request.name = invocation.arguments.positionals[0]
    let response: Edgecat_Policy_V1_DeletePrincipalResponse = try await invocation.clients.call(
      .policy, "DeletePrincipal", request)
    return .message(
      .object([("deleted", .string(request.name)), ("revision", .integer(response.revision))]),
      text: "deleted principal \(request.name)")
  }

  static func setAttribute(_ invocation: Invocation) async throws -> CommandOutput {
    var request = Edgecat_Policy_V1_SetPrincipalAttributeRequest()
    request.principal = invocation.arguments.positionals[0]
    request.key = invocation.arguments.positionals[1]
    request.value = invocation.arguments.positionals[2]
    let principal: Edgecat_Policy_V1_Principal = try await invocation.clients.call(
      .policy, "SetPrincipalAttribute", request)
    return .record(PolicyJSON.principal(principal))
  }
}
