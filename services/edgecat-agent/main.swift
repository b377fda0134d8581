// edgecat-agent: the edge agent of one device. It stores the application's inference records
// in a spool database in --data-dir and forwards them to edgecat-telemetry, heartbeats, follows
// the device's desired model in edgecat-registry, and serves edgecat.agent.v1.AgentService to
// the application on --listen.
import EdgecatAgent
import EdgecatFlags
import EdgecatLog
import EdgecatRPC
import Glibc

/// Writes a usage error to stderr in one `write(2)` and exits with status 2.
func exitWithUsageError(_ message: String) -> Never {
  let bytes = Array("edgecat-agent: \(message)\n".utf8)
  _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
  exit(2)
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("--help") || arguments.contains("-h") {
  print(AgentOptions.parser.usage, terminator: "")
  exit(0)
}
let options: AgentOptions
do {
  options = try AgentOptions.parse(arguments)
} catch {
  exitWithUsageError(error.message)
}
Logger.level = options.logLevel
umask(0o077)
let logger = Logger(component: "agent")

let deviceToken: String
let localToken: String
do {
  deviceToken = try readTokenFile(options.tokenFile)
} catch {
  exitWithUsageError(error.message)
}
do {
  try Agent.createDataDirectory(options.dataDirectory)
} catch {
  logger.error("cannot create the data folder", ["error": "\(error)"])
  exit(1)
}
do {
  localToken = try LocalToken.loadOrCreate(at: options.localTokenFile)
} catch {
  logger.error(
    "cannot read or create the local token file",
    ["path": options.localTokenFile, "error": "\(error)"])
  exit(1)
}

/// The reasons to stop: a signal, or a device token of another principal.
enum StopReason: Sendable {
  case signal
  case foreignPrincipal
}
let (stops, stop) = AsyncStream.makeStream(of: StopReason.self)

let agent: Agent
do {
  // One event loop carries the agent's few connections, and spares the memory of more.
  agent = try await Agent.start(
    options: options, deviceToken: deviceToken, localToken: localToken,
    group: EventLoopGroup(threads: 1), onForeignPrincipal: { _ in stop.yield(.foreignPrincipal) })
} catch {
  logger.error("cannot start", ["data_dir": options.dataDirectory, "error": "\(error)"])
  exit(1)
}
if let portFile = options.portFile {
  let temporary = portFile + ".tmp"
  if let file = fopen(temporary, "w") {
    fputs("\(agent.port)\n", file)
    fclose(file)
    rename(temporary, portFile)
  } else {
    logger.error("cannot write the port file", ["path": portFile, "errno": errno])
  }
}
SignalWatcher.install { _ in stop.yield(.signal) }
var reason = StopReason.signal
for await next in stops {
  reason = next
  break
}
await agent.stop()
// 78 is EX_CONFIG of sysexits.h: the token given is not the device's.
exit(reason == .foreignPrincipal ? 78 : 0)
