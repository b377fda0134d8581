import EdgecatProto

/// `edgecat token`: bearer tokens of principals.
enum TokenCommands {
  static let listColumns = [
    TableColumn("token_id", header: "TOKEN_ID"), TableColumn("principal"),
    TableColumn("comment"), TableColumn("created_at"), TableColumn("expires_at"),
    TableColumn("revoked_at"),
  ]

  static let noun = Noun(
    "token", "bearer tokens of principals",
    verbs: [
      Verb(
        "create", "create a token; its secret is printed once and cannot be shown again",
        arguments: [ArgumentSpec("PRINCIPAL", help: "principal the token authenticates as")],
        flags: [
          FlagSpec(
            "ttl", value: "SECONDS",
            help: "lifetime in seconds, up to 315360000, which is 10 years (default: no expiry)"),
          FlagSpec("comment", value: "TEXT", help: "note for people listing tokens"),
        ], run: create),
      Verb(
        "list", "list tokens without their secrets",
        flags: [
          FlagSpec(
            "principal", value: "NAME",
            help: "only this principal's tokens (default: all, admins only)")
        ]
      ) { invocation in
        var request = Edgecat_Policy_V1_ListTokensRequest()
        request.principal = invocation.arguments["principal"] ?? ""
        let response: Edgecat_Policy_V1_ListTokensResponse = try await invocation.clients.call(
          .policy, "ListTokens", request)
        return .list(response.tokens.map(PolicyJSON.token), columns: listColumns)
      },
      Verb(
        "revoke", "revoke a token",
        arguments: [ArgumentSpec("TOKEN_ID", help: "id from token list")]
      ) { invocation in
        var request = Edgecat_Policy_V1_RevokeTokenRequest()
        request.tokenID = invocation.arguments.positionals[0]
        let response: Edgecat_Policy_V1_RevokeTokenResponse = try await invocation.clients.call(
          .policy, "RevokeToken", request)
        return .message(
          .object([
            ("revoked", .string(request.tokenID)), ("revision", .integer(response.revision)),
          ]),
          text: "revoked token \(request.tokenID)")
      },
      Verb("whoami", "show the principal, groups and attributes of the token in use") {
        invocation in
        var request = Edgecat_Policy_V1_AuthenticateRequest()
        request.token = invocation.settings.token ?? ""
        let response: Edgecat_Policy_V1_AuthenticateResponse = try await invocation.clients.call(
          .policy, "Authenticate", request)
        return .record(
          .object([
            ("principal", .string(response.principal)),
            ("groups", .strings(response.groups)),
            ("attributes", .stringMap(response.attributes)),
            ("revision", .integer(response.revision)),
          ]))
      },
    ])

  static func create(_ invocation: Invocation) async throws -> CommandOutput {
    var request = Edgecat_Policy_V1_CreateTokenRequest()
    request.principal = invocation.arguments.positionals[0]
    // The policy service's limit, so that a longer lifetime is a usage error naming it.
    request.ttlSeconds = Int64(
      try invocation.arguments.integer("ttl", in: 1...315_360_000) ?? 0)
    request.comment = invocation.arguments["comment"] ?? ""
    let response: Edgecat_Policy_V1_CreateTokenResponse = try await invocation.clients.call(
      .policy, "CreateToken", request)
    let info = response.info ?? Edgecat_Policy_V1_TokenInfo()
    return .record(PolicyJSON.token(info).prepending([("token", .string(response.token))]))
  }
}
