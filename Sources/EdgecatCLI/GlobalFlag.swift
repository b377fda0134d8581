/// A setting that applies to every command. Each comes from its flag, else its `EDGECAT_*`
/// environment variable, else its key in the selected profile of the config file.
public struct GlobalFlag: Sendable {
  /// The flag without dashes, such as `policy-endpoint`.
  public let name: String
  /// What the value looks like in help text, such as `HOST:PORT`.
  public let valueName: String
  public let help: String
  /// Whether a profile may set it; `profile` and `config-file` choose the profile instead.
  public let inProfile: Bool

  /// The environment variable, such as `EDGECAT_POLICY_ENDPOINT`.
  public var environmentName: String {
    "EDGECAT_" + name.uppercased().replacing("-", with: "_")
  }

  /// The key in a profile, such as `policy_endpoint`.
  public var profileKey: String { name.replacing("-", with: "_") }

  /// Every global flag, in the order help text lists them.
  public static let all: [GlobalFlag] =
    [
      GlobalFlag(
        name: "profile", valueName: "NAME",
        help: "profile of the config file to read settings from (default: default)",
        inProfile: false),
      GlobalFlag(
        name: "config-file", valueName: "PATH",
        help: "INI file of profiles (default: ~/.edgecat/config)", inProfile: false),
      GlobalFlag(
        name: "output", valueName: "FORMAT",
        help: "table (aligned columns for people, the default) or json (one document)",
        inProfile: true),
    ]
    + Service.allCases.map { service in
      GlobalFlag(
        name: service.endpointFlag, valueName: "HOST:PORT",
        help: "address of \(service.program) (default: 127.0.0.1:\(service.defaultPort))",
        inProfile: true)
    }
    + [
      GlobalFlag(
        name: "token", valueName: "TOKEN",
        help: "bearer token sent to every service but edgecat-agent",
        inProfile: true),
      GlobalFlag(
        name: "token-file", valueName: "PATH",
        help: "file whose first line is the bearer token; instead of --token", inProfile: true),
      GlobalFlag(
        name: "agent-token-file", valueName: "PATH",
        help: "file whose first line is the local token of edgecat-agent, the agent's"
          + " --local-token-file (default: \(Settings.defaultAgentTokenFile))",
        inProfile: true),
      GlobalFlag(
        name: "environment", valueName: "NAME",
        help: "environment the requests name, such as production (default: the services')",
        inProfile: true),
      GlobalFlag(
        name: "timeout", valueName: "SECONDS",
        help: "deadline of each call to a service, in seconds (default: 30)", inProfile: true),
    ]

  static func named(_ name: String) -> GlobalFlag? { all.first { $0.name == name } }
}
