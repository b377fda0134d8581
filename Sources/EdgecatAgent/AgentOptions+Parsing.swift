import EdgecatFlags
import EdgecatLog
import EdgecatRPC

extension AgentOptions {
  /// Parses the command line (without the program name) and the environment; `--config`, or
  /// `EDGECAT_CONFIG`, names a file whose values rank below both.
  public static func parse(
    _ arguments: [String], environment: [String: String] = ProcessEnvironment.all
  ) throws(UsageError) -> AgentOptions {
    var merged = environment
    if let path = configPath(arguments) ?? environment["EDGECAT_CONFIG"] {
      for (name, value) in try ConfigFile.read(path, knownFlags: flags)
      where merged[name.environmentName] == nil {
        merged[name.environmentName] = value
      }
    }
    return try AgentOptions(flags: parser.parse(arguments, environment: merged))
  }

  /// Returns the value of `--config` on the command line, when given.
  private static func configPath(_ arguments: [String]) -> String? {
    for (index, argument) in arguments.enumerated() {
      if argument.hasPrefix("--config=") { return String(argument.dropFirst("--config=".count)) }
      if argument == "--config", index + 1 < arguments.count { return arguments[index + 1] }
    }
    return nil
  }

  init(flags: ParsedFlags) throws(UsageError) {
    guard let deviceID = flags["device-id"], Self.isDeviceID(deviceID) else {
      throw UsageError(
        message: "--device-id \"\(flags["device-id"] ?? "")\" is missing or invalid; use the"
          + " device's id in the registry: 1 to 255 letters, digits, '_', '-', '.' or ':'")
    }
    guard let tokenFile = flags["token-file"] else {
      throw UsageError(
        message: "--token-file is missing; pass the file with the token of device:\(deviceID)")
    }
    self.deviceID = deviceID
    self.tokenFile = tokenFile
    dataDirectory = flags["data-dir"] ?? "./var/agent"
    localTokenFile = flags["local-token-file"] ?? dataDirectory + "/local-token"
    listen = try Self.endpoint(flags, "listen")
    registryEndpoint = try Self.endpoint(flags, "registry-endpoint")
    telemetryEndpoint = try Self.endpoint(flags, "telemetry-endpoint")
    heartbeatInterval = .milliseconds(try Self.positive(flags, "heartbeat-interval-ms"))
    spoolMaximumBytes = try Self.positive(flags, "spool-max-bytes")
    batchRecords = Int(try Self.positive(flags, "batch-records"))
    window = Int(try Self.positive(flags, "window"))
    healthCommand = flags["health-command"].flatMap { $0.isEmpty ? nil : $0 }
    healthTimeout = .milliseconds(try Self.positive(flags, "health-timeout-ms"))
    portFile = flags["port-file"]
    let levelName = flags["log-level"] ?? "info"
    guard let level = LogLevel(name: levelName) else {
      throw UsageError(
        message: "--log-level \"\(levelName)\" is invalid; use debug, info, warning or error")
    }
    logLevel = level
  }

  private static func endpoint(_ flags: ParsedFlags, _ name: String) throws(UsageError)
    -> Endpoint
  {
    let text = flags[name] ?? ""
    guard let endpoint = Endpoint(parsing: text) else {
      throw UsageError(message: "--\(name) \"\(text)\" is invalid; use HOST:PORT, port 0 to 65535")
    }
    return endpoint
  }

  private static func positive(_ flags: ParsedFlags, _ name: String) throws(UsageError) -> Int64 {
    let text = flags[name] ?? ""
    guard let value = Int64(text), value > 0 else {
      throw UsageError(message: "--\(name) \"\(text)\" is invalid; use a positive whole number")
    }
    return value
  }

  /// True for 1 to 255 ASCII letters, digits, '_', '-', '.' or ':', as the registry requires.
  static func isDeviceID(_ text: String) -> Bool {
    let bytes = text.utf8
    guard (1...255).contains(bytes.count) else { return false }
    return bytes.allSatisfy { byte in
      switch byte {
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"),
        UInt8(ascii: "."), UInt8(ascii: ":"):
        true
      default: false
      }
    }
  }
}

extension String {
  /// The environment variable of a flag name, such as `EDGECAT_DATA_DIR` for `data-dir`.
  fileprivate var environmentName: String {
    "EDGECAT_" + String(uppercased().map { $0 == "-" ? "_" : $0 })
  }
}
