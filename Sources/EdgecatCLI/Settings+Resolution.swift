import EdgecatRPC

extension Settings {
  /// Resolves the settings from global flags, the environment and the config file's profile.
  /// Bad values are usage errors naming where they came from.
  static func resolve(
    flags: [String: String], environment: [String: String], console: Console
  ) throws -> Settings {
    var sources = SettingSources(
      flags: flags, environment: environment, profile: [:], profileOrigin: "")
    try loadProfile(into: &sources, environment: environment, console: console)

    var settings = Settings()
    if let output = sources.value("output") {
      guard let format = OutputFormat(rawValue: output.value.lowercased()) else {
        throw CLIError.usage(
          "\(output.origin) \"\(output.value)\" is not an output format; use table or json")
      }
      settings.output = format
    }
    for service in Service.allCases {
      guard let text = sources.value(service.endpointFlag) else { continue }
      guard let endpoint = Endpoint(parsing: text.value), endpoint.port > 0 else {
        throw CLIError.usage(
          "\(text.origin) \"\(text.value)\" is not an endpoint; use HOST:PORT, such as"
            + " 127.0.0.1:\(service.defaultPort)")
      }
      settings.endpoints[service] = endpoint
    }
    if let timeout = sources.value("timeout") {
      guard let seconds = Double(timeout.value), seconds > 0, seconds <= 86400 else {
        throw CLIError.usage(
          "\(timeout.origin) \"\(timeout.value)\" is invalid; use a number of seconds from"
            + " above 0 to 86400")
      }
      settings.timeout = .milliseconds(Int64(seconds * 1000))
    }
    if let name = sources.value("environment"), !name.value.isEmpty {
      settings.environment = name.value
    }
    try settings.resolveToken(sources, home: environment["HOME"], console: console)
    try settings.resolveAgentTokenFile(sources, home: environment["HOME"])
    return settings
  }

  /// Reads the config file and picks the profile from `--profile`, `EDGECAT_PROFILE` or
  /// `default`. A missing file or default profile is no profile; a named one that is missing
  /// is a usage error.
  private static func loadProfile(
    into sources: inout SettingSources, environment: [String: String], console: Console
  ) throws {
    let home = environment["HOME"]
    let explicitFile = sources.value("config-file")
    guard
      let path = explicitFile.map({ expandHome($0.value, home: home) })
        ?? home.map({ $0 + "/.edgecat/config" })
    else { return }
    let explicitProfile = sources.value("profile")
    let name = explicitProfile?.value ?? "default"

    let text: String
    do {
      text = try console.readFile(path)
    } catch {
      guard explicitFile == nil, explicitProfile == nil else {
        let origin = explicitFile?.origin ?? explicitProfile!.origin
        let reason = (error as? CLIError)?.message ?? "\(error)"
        throw CLIError.usage(
          "\(origin) needs the config file: \(reason); create it or fix the path")
      }
      return
    }
    let file = try ProfileFile(path: path, text: text)
    guard let entries = file.profiles[name] else {
      guard let explicitProfile else { return }
      let known = file.profiles.keys.sorted().joined(separator: ", ")
      throw CLIError.usage(
        "profile \"\(name)\" from \(explicitProfile.origin) is not in \(path); add a [\(name)]"
          + " section or use one of: \(known.isEmpty ? "(none)" : known)")
    }
    let allowed = GlobalFlag.all.filter(\.inProfile).map(\.profileKey)
    for (key, entry) in entries where !allowed.contains(key) {
      throw CLIError.usage(
        "\(path):\(entry.line): unknown key \"\(key)\" in profile \(name); use one of"
          + " \(allowed.joined(separator: ", "))")
    }
    sources.profile = entries
    sources.profileOrigin = "profile \(name) in \(path)"
  }
}

/// Replaces a leading `~/` with the home folder.
func expandHome(_ path: String, home: String?) -> String {
  guard path.hasPrefix("~/"), let home else { return path }
  return home + path.dropFirst(1)
}
