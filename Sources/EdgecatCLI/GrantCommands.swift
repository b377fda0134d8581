import EdgecatProto

/// `edgecat grant`: privileges granted on securables.
enum GrantCommands {
  static let target = [
    ArgumentSpec("TYPE", help: SecurableTypes.helpText),
    ArgumentSpec(
      "NAME", optional: true, help: "full name of the securable; none for the metastore"),
  ]
  static let principal = FlagSpec(
    "principal", value: "NAME", help: "user, group or service principal")
  static let privilege = FlagSpec(
    "privilege", value: "PRIVILEGE", repeatable: true,
    help: "privilege such as USE_CATALOG or \"USE CATALOG\"; comma-separated lists are allowed")

  static let noun = Noun(
    "grant", "privileges granted to principals on securables",
    verbs: [
      Verb(
        "add", "grant privileges; granting what is granted changes nothing", arguments: target,
        flags: [principal, privilege]
      ) { invocation in try await update(invocation, grant: true) },
      Verb(
        "remove", "revoke privileges; revoking what was never granted changes nothing",
        arguments: target, flags: [principal, privilege]
      ) { invocation in try await update(invocation, grant: false) },
      Verb(
        "list", "list the grants made directly on a securable, as SHOW GRANTS does",
        arguments: target,
        flags: [FlagSpec("principal", value: "NAME", help: "only this principal's grants")]
      ) { invocation in
        let (type, name) = try SecurableTypes.target(invocation.arguments, at: 0)
        let grants = try await list(type, name, invocation.clients)
        let principal = invocation.arguments["principal"]
        let matching = grants.filter { principal == nil || $0.principal == principal }
        return .list(
          matching.map(PolicyJSON.grant),
          columns: [TableColumn("principal"), TableColumn("privileges")])
      },
      Verb(
        "effective",
        "list what a principal may do on a securable and where each privilege comes from",
        arguments: target, flags: [principal]
      ) { invocation in
        let (type, name) = try SecurableTypes.target(invocation.arguments, at: 0)
        var request = Edgecat_Policy_V1_GetEffectivePrivilegesRequest()
        request.principal = try required(invocation.arguments, "principal")
        request.securableType = type
        request.securableFullName = name
        let response: Edgecat_Policy_V1_GetEffectivePrivilegesResponse =
          try await invocation
          .clients.call(.policy, "GetEffectivePrivileges", request)
        return .list(
          response.privileges.map(PolicyJSON.effectivePrivilege),
          columns: [
            TableColumn("privilege"), TableColumn(header: "SOURCES", item: describeSources),
          ])
      },
    ])

  static func update(_ invocation: Invocation, grant: Bool) async throws -> CommandOutput {
    let arguments = invocation.arguments
    let (type, name) = try SecurableTypes.target(arguments, at: 0)
    let privileges = arguments.all("privilege").flatMap { $0.split(separator: ",") }.map {
      Privileges.normalize(String($0))
    }
    guard !privileges.isEmpty, !privileges.contains("") else {
      throw CLIError.usage("\(arguments.commandName) needs --privilege, such as USE_CATALOG")
    }
    var request = Edgecat_Policy_V1_UpdatePrivilegesRequest()
    request.principal = try required(arguments, "principal")
    request.privileges = privileges
    request.securableType = type
    request.securableFullName = name
    let response: Edgecat_Policy_V1_UpdatePrivilegesResponse = try await invocation.clients.call(
      .policy, grant ? "Grant" : "Revoke", request)
    let target = SecurableTypes.describe(type, name)
    let list = privileges.joined(separator: ", ")
    let text =
      grant
      ? "granted \(list) on \(target) to \(request.principal)"
      : "revoked \(list) on \(target) from \(request.principal)"
    return .message(
      .object([
        ("principal", .string(request.principal)), ("privileges", .strings(privileges)),
        ("securable_type", .string(protoEnumName(type))),
        ("securable_full_name", .string(name)), ("revision", .integer(response.revision)),
      ]), text: text)
  }

  static func list(
    _ type: Edgecat_Policy_V1_SecurableType, _ name: String, _ clients: ServiceClients
  ) async throws -> [Edgecat_Policy_V1_GrantInfo] {
    var request = Edgecat_Policy_V1_ListGrantsRequest()
    request.securableType = type
    request.securableFullName = name
    let response: Edgecat_Policy_V1_ListGrantsResponse = try await clients.call(
      .policy, "ListGrants", request)
    return response.grants
  }

  static func required(_ arguments: ParsedArguments, _ flag: String) throws -> String {
    guard let value = arguments[flag], !value.isEmpty else {
      throw CLIError.usage("\(arguments.commandName) needs --\(flag)")
    }
    return value
  }

  /// Formats the sources of one effective privilege, a phrase per source such as `inherited on
  /// production via ml-engineers`. A grant of ALL_PRIVILEGES ends in `through ALL_PRIVILEGES`,
  /// so that it reads apart from a grant of the privilege itself on the same securable.
  static func describeSources(_ effective: JSONValue) -> String {
    guard case .array(let sources)? = effective["sources"] else { return "" }
    let privilege = effective["privilege"]?.cellText
    return sources.map { source in
      var text = (source["kind"]?.cellText ?? "").lowercased()
      if let securable = source["securable_full_name"]?.cellText, !securable.isEmpty {
        text += " on \(securable)"
      }
      if let group = source["via_group"]?.cellText, !group.isEmpty { text += " via \(group)" }
      if let granted = source["granted_privilege"]?.cellText, !granted.isEmpty,
        granted != privilege
      {
        text += " through \(granted)"
      }
      return text
    }.joined(separator: "; ")
  }
}
