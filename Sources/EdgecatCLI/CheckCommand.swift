import EdgecatProto

/// `edgecat check`: asks the policy service whether a principal holds a privilege.
enum CheckCommand {
  static let noun = Noun(
    "check", "decide whether a principal holds a privilege, and say why",
    command: Verb(
      "check",
      "ask the policy service whether PRINCIPAL holds PRIVILEGE on a securable; prints the rule"
        + " that allows it or every missing privilege, and exits 1 when denied",
      arguments: [
        ArgumentSpec("PRINCIPAL", help: "user, group or service principal"),
        ArgumentSpec("PRIVILEGE", help: "privilege such as USE_CATALOG, SELECT or \"USE SCHEMA\""),
      ] + GrantCommands.target,
      details: "example:\n  edgecat check ml-engineers USE_CATALOG catalog production",
      run: run))

  static func run(_ invocation: Invocation) async throws -> CommandOutput {
    let arguments = invocation.arguments
    let (type, name) = try SecurableTypes.target(arguments, at: 2)
    var request = Edgecat_Policy_V1_CheckRequest()
    request.principal = arguments.positionals[0]
    request.privilege = Privileges.normalize(arguments.positionals[1])
    request.securableType = type
    request.securableFullName = name
    let response: Edgecat_Policy_V1_CheckResponse = try await invocation.clients.call(
      .policy, "Check", request)
    var text = (response.allowed ? "allowed: " : "denied: ") + response.reason
    if !response.missingPrivileges.isEmpty {
      text += "\nmissing privileges: " + response.missingPrivileges.joined(separator: ", ")
    }
    return .message(PolicyJSON.check(response), text: text, exitCode: response.allowed ? 0 : 1)
  }
}
