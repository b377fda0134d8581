import EdgecatLog
import EdgecatRPC
import Glibc

/// The flags every edgecat service takes, parsed: where it listens, where its data lives, its
/// own identity and the endpoints of the services it calls.
public struct ServiceOptions: Sendable {
  public var listen: Endpoint
  public var dataDirectory: String
  /// File holding this service's own bearer token; nil when the flag is not set.
  public var tokenFile: String?
  public var policyEndpoint: Endpoint
  public var catalogEndpoint: Endpoint
  public var registryEndpoint: Endpoint
  public var telemetryEndpoint: Endpoint
  /// The environment this service runs in, such as "production"; requests may name another in
  /// `x-edgecat-environment`.
  public var environment: String?
  public var logLevel: LogLevel
  /// Every parsed flag, for the flags a service adds of its own.
  public var flags: ParsedFlags
  /// The service's short name, such as "catalog", which messages print as "edgecat-catalog".
  public var name = "service"

  /// The services a service may call, each with the default port of its endpoint flag.
  public static let endpointDefaults: KeyValuePairs<String, Int> = [
    "policy": 7401, "catalog": 7402, "registry": 7403, "telemetry": 7404,
  ]

  /// Returns the common flags, with `--listen` defaulting to `defaultPort` and `--data-dir` to
  /// `./var/<name>`. Only the services in `calls` get an endpoint flag, `--token-file` comes
  /// with any of them, and `--environment` only when `servesEnvironments` is set.
  public static func commonFlags(
    name: String, defaultPort: Int, calls: [String] = endpointDefaults.map(\.key),
    servesEnvironments: Bool = true
  ) -> [Flag] {
    var flags = [
      Flag("listen", default: "127.0.0.1:\(defaultPort)", help: "HOST:PORT to serve gRPC on"),
      Flag("data-dir", default: "./var/\(name)", help: "folder for this service's SQLite data"),
    ]
    if !calls.isEmpty {
      flags.append(Flag("token-file", help: "file with this service's own bearer token"))
    }
    for (service, port) in endpointDefaults where calls.contains(service) {
      flags.append(
        Flag(
          "\(service)-endpoint", default: "127.0.0.1:\(port)",
          help: "HOST:PORT of edgecat-\(service)"))
    }
    if servesEnvironments {
      flags.append(Flag("environment", help: "environment this service serves, such as production"))
    }
    return flags + [
      Flag("log-level", default: "info", help: "debug, info, warning or error"),
      Flag("port-file", help: "file to write the bound port to once listening, for port 0"),
    ]
  }

  /// Parses the command line of a service; prints usage and exits 0 for `--help`, prints the
  /// error and exits 2 for a usage error.
  public static func parseOrExit(
    name: String, summary: String, defaultPort: Int, calls: [String],
    servesEnvironments: Bool = false, extraFlags: [Flag] = []
  ) -> ServiceOptions {
    let common = commonFlags(
      name: name, defaultPort: defaultPort, calls: calls, servesEnvironments: servesEnvironments)
    let parser = FlagParser(
      program: "edgecat-\(name)", summary: summary, flags: common + extraFlags)
    let arguments = Array(CommandLine.arguments.dropFirst())
    if arguments.contains("--help") || arguments.contains("-h") {
      print(parser.usage, terminator: "")
      exit(0)
    }
    do {
      let flags = try parser.parse(arguments)
      var options = try ServiceOptions(flags: flags)
      options.name = name
      return options
    } catch {
      StandardError.write("edgecat-\(name): \(error.message)\n")
      exit(2)
    }
  }

  public init(flags: ParsedFlags) throws(UsageError) {
    self.flags = flags
    listen = try Self.endpoint(flags, "listen")
    dataDirectory = flags["data-dir"] ?? "./var"
    tokenFile = flags["token-file"]
    policyEndpoint = try Self.endpoint(flags, of: "policy")
    catalogEndpoint = try Self.endpoint(flags, of: "catalog")
    registryEndpoint = try Self.endpoint(flags, of: "registry")
    telemetryEndpoint = try Self.endpoint(flags, of: "telemetry")
    environment = flags["environment"]
    let levelName = flags["log-level"] ?? "info"
    guard let level = LogLevel(name: levelName) else {
      throw UsageError(
        message: "--log-level \"\(levelName)\" is invalid; use debug, info, warning or error")
    }
    logLevel = level
  }

  /// Parses the endpoint of `service`. A service without that flag, because it never calls
  /// that service, gets the default endpoint.
  private static func endpoint(_ flags: ParsedFlags, of service: String) throws(UsageError)
    -> Endpoint
  {
    let port = endpointDefaults.first { $0.key == service }?.value ?? 0
    return try endpoint(flags, "\(service)-endpoint", fallback: "127.0.0.1:\(port)")
  }

  private static func endpoint(_ flags: ParsedFlags, _ name: String, fallback: String = "")
    throws(UsageError) -> Endpoint
  {
    let text = flags[name] ?? fallback
    guard let endpoint = Endpoint(parsing: text) else {
      throw UsageError(message: "--\(name) \"\(text)\" is invalid; use HOST:PORT, port 0 to 65535")
    }
    return endpoint
  }
}

extension ServiceOptions {
  /// Writes the bound port to the `--port-file`, when set, replacing the file atomically.
  public func writePortFile(_ port: Int) throws(UsageError) {
    guard let path = flags["port-file"] else { return }
    let temporary = path + ".tmp"
    guard let file = fopen(temporary, "w") else {
      throw UsageError(message: "cannot write --port-file \(path): errno \(errno)")
    }
    fputs("\(port)\n", file)
    fclose(file)
    guard rename(temporary, path) == 0 else {
      throw UsageError(message: "cannot write --port-file \(path): errno \(errno)")
    }
  }
}

/// Creates a folder and its missing parents with mode 0700, as `mkdir -p` does; returns the
/// errno of the first failure, or nil.
public func createDirectories(_ path: String) -> Int32? {
  var prefix = path.hasPrefix("/") ? "/" : ""
  for part in path.split(separator: "/") {
    prefix += part
    if mkdir(prefix, 0o700) != 0 && errno != EEXIST { return errno }
    prefix += "/"
  }
  return nil
}

/// Writes text to stderr in one `write(2)` call.
public enum StandardError {
  public static func write(_ text: String) {
    var bytes = Array(text.utf8)
    _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
  }
}
