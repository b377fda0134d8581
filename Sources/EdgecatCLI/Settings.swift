import EdgecatRPC

/// The resolved global settings of one run of `edgecat`.
public struct Settings: Sendable {
  public var output: OutputFormat = .table
  public var endpoints: [Service: Endpoint] = [:]
  /// The bearer token; nil when no flag, variable or profile sets one.
  public var token: String?
  /// The source of the token, such as `--token-file /tmp/admin.token`, for error messages.
  public var tokenOrigin: String?
  /// Sent as `x-edgecat-environment` when set.
  public var environment: String?
  public var timeout: Duration = .seconds(30)
  /// The file of the edge agent's local token, read only by commands that call the agent.
  public var agentTokenFile = Settings.defaultAgentTokenFile
  /// The source of `agentTokenFile`, such as `EDGECAT_AGENT_TOKEN_FILE`, or nil for the default.
  public var agentTokenFileOrigin: String?

  public func endpoint(of service: Service) -> Endpoint {
    endpoints[service] ?? Endpoint(host: "127.0.0.1", port: service.defaultPort)
  }
}

/// One source of a setting's value: a flag, an environment variable or a profile key.
struct SettingValue {
  let value: String
  /// Names the source for error messages, such as `EDGECAT_TIMEOUT`.
  let origin: String
}

/// The sources of setting values, in order of precedence: flags, then the environment, then
/// the selected profile.
struct SettingSources {
  var flags: [String: String]
  var environment: [String: String]
  var profile: [String: ProfileFile.Entry]
  /// Names the profile and its file, such as `profile default in /root/.edgecat/config`.
  var profileOrigin: String

  /// Returns the value of `flag` from the first source that sets it.
  func value(_ name: String) -> SettingValue? {
    guard let flag = GlobalFlag.named(name) else { return nil }
    return layers(flag).first { $0 != nil } ?? nil
  }

  /// Returns the value of `flag` in each source, flags first.
  func layers(_ flag: GlobalFlag) -> [SettingValue?] {
    [
      flags[flag.name].map { SettingValue(value: $0, origin: "--\(flag.name)") },
      environment[flag.environmentName].map {
        SettingValue(value: $0, origin: flag.environmentName)
      },
      flag.inProfile
        ? profile[flag.profileKey].map {
          SettingValue(
            value: $0.value, origin: "\(flag.profileKey) (line \($0.line) of \(profileOrigin))")
        } : nil,
    ]
  }
}
