import EdgecatProto

/// `edgecat group`: groups and their members.
enum GroupCommands {
  static let listColumns = [
    TableColumn("name"), TableColumn("members"), TableColumn("groups"), TableColumn("created_at"),
  ]

  static let noun = Noun(
    "group", "groups of principals and their members",
    verbs: [
      Verb("create", "create a group", arguments: [ArgumentSpec("NAME", help: "group name")]) {
        invocation in
        var request = Edgecat_Policy_V1_CreatePrincipalRequest()
        request.name = invocation.arguments.positionals[0]
        request.type = .group
        let group: Edgecat_Policy_V1_Principal = try await invocation.clients.call(
          .policy, "CreatePrincipal", request)
        return .record(PolicyJSON.principal(group))
      },
      Verb(
        "get", "show a group with its direct members",
        arguments: [ArgumentSpec("NAME", help: "group name")]
      ) { invocation in
        let name = invocation.arguments.positionals[0]
        return .record(PolicyJSON.principal(try await PrincipalCommands.get(name, invocation)))
      },
      Verb("list", "list groups by name", flags: Paging.flags) { invocation in
        .list(try await PrincipalCommands.list(type: .group, invocation), columns: listColumns)
      },
      Verb(
        "delete", "delete a group with its memberships and grants",
        arguments: [ArgumentSpec("NAME", help: "group name")], run: PrincipalCommands.delete),
      Verb(
        "add-member", "add a principal to a group; adding an existing member changes nothing",
        arguments: [
          ArgumentSpec("GROUP", help: "group name"),
          ArgumentSpec("MEMBER", help: "user, group or service principal to add"),
        ]
      ) { invocation in try await changeMember(invocation, add: true) },
      Verb(
        "remove-member", "remove a principal from a group",
        arguments: [
          ArgumentSpec("GROUP", help: "group name"),
          ArgumentSpec("MEMBER", help: "direct member to remove"),
        ]
      ) { invocation in try await changeMember(invocation, add: false) },
    ])

  static func changeMember(_ invocation: Invocation, add: Bool) async throws -> CommandOutput {
    var request = Edgecat_Policy_V1_GroupMemberRequest()
    request.group = invocation.arguments.positionals[0]
    request.member = invocation.arguments.positionals[1]
    let response: Edgecat_Policy_V1_GroupMemberResponse = try await invocation.clients.call(
      .policy, add ? "AddGroupMember" : "RemoveGroupMember", request)
    let json = JSONValue.object([
      ("group", .string(request.group)),
      ("member", .string(request.member)),
      (add ? "added" : "removed", .bool(true)),
      ("revision", .integer(response.revision)),
    ])
    let text =
      add
      ? "added \(request.member) to \(request.group)"
      : "removed \(request.member) from \(request.group)"
    return .message(json, text: text)
  }
}
