import EdgecatFlags
import EdgecatLog
import EdgecatRPC

/// The agent's settings, from flags, `EDGECAT_*` environment variables and an optional
/// `--config` file, in that order of precedence, then the defaults.
public struct AgentOptions: Sendable {
  public var deviceID: String
  /// File with the device principal's token, for `device:<device id>`.
  public var tokenFile: String
  public var listen: Endpoint
  /// File with the local service's token; created with a random token when missing.
  public var localTokenFile: String
  public var registryEndpoint: Endpoint
  public var telemetryEndpoint: Endpoint
  public var dataDirectory: String
  public var heartbeatInterval: Duration
  public var spoolMaximumBytes: Int64
  public var batchRecords: Int
  /// Batches sent to telemetry and not yet acknowledged, at most.
  public var window: Int
  public var healthCommand: String?
  public var healthTimeout: Duration
  public var logLevel: LogLevel
  public var portFile: String?

  public static let flags: [Flag] = [
    Flag("config", help: "INI or key=value file with any of these flags, by name"),
    Flag("device-id", help: "this device's id in the registry's inventory"),
    Flag("token-file", help: "file with the token of the principal device:<device id>"),
    Flag("listen", default: "127.0.0.1:7410", help: "HOST:PORT of the local AgentService"),
    Flag(
      "local-token-file",
      help: "file with the local service's token, created mode 0600 with a random token when"
        + " missing (default <data-dir>/local-token)"),
    Flag("registry-endpoint", default: "127.0.0.1:7403", help: "HOST:PORT of edgecat-registry"),
    Flag(
      "telemetry-endpoint", default: "127.0.0.1:7404", help: "HOST:PORT of edgecat-telemetry"),
    Flag("data-dir", default: "./var/agent", help: "folder for the spool database and models"),
    Flag(
      "heartbeat-interval-ms", default: "30000",
      help:
        "milliseconds between heartbeats to telemetry until it answers one, and after a failed"
        + " one; telemetry's --heartbeat-interval-ms sets the interval after a delivered one"),
    Flag(
      "spool-max-bytes", default: "1073741824",
      help: "bytes of records and labels the spool keeps before it rejects new ones"),
    Flag("batch-records", default: "1000", help: "records and labels per batch to telemetry"),
    Flag("window", default: "8", help: "batches sent to telemetry and not yet acknowledged"),
    Flag(
      "health-command",
      help: "shell command that must exit 0 before a newly loaded model counts as running"),
    Flag(
      "health-timeout-ms", default: "60000",
      help: "milliseconds the health command may run before it counts as failed"),
    Flag("log-level", default: "info", help: "debug, info, warning or error"),
    Flag("port-file", help: "file to write the bound local port to once listening, for port 0"),
  ]

  public static let parser = FlagParser(
    program: "edgecat-agent",
    summary: "The edge agent: spools inference records for edgecat-telemetry, follows the"
      + " device's desired model in edgecat-registry and serves edgecat.agent.v1.AgentService"
      + " to the application on this device.",
    flags: flags)
}
