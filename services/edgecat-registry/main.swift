// edgecat-registry: model versions, artifacts, aliases and audit events, kept in one SQLite
// database in --data-dir with the artifacts in its blobs folder. Registered models themselves
// are created in edgecat-catalog, and every call is authorized by edgecat-policy.
import EdgecatLog
import EdgecatRPC
import EdgecatRegistry
import EdgecatRegistryServer
import EdgecatServiceKit
import Glibc

let options = ServiceOptions.parseOrExit(
  name: "registry",
  summary: "Serves edgecat.registry.v1.ModelRegistryService: model versions, artifacts and"
    + " aliases.",
  defaultPort: 7403,
  calls: ["policy", "catalog"],
  servesEnvironments: true,
  extraFlags: [
    Flag(
      "max-artifact-bytes", default: String(RegistryEngine.defaultMaximumArtifactBytes),
      help: "maximum artifact size an upload may declare, in bytes"),
    Flag(
      "rollout-tick-ms", default: "1000",
      help: "milliseconds between steps of the staged rollouts: reports are checked, stages"
        + " advance or halt"),
    Flag(
      "default-stages", default: "10,50,100",
      help: "cumulative percentages of the selected devices per stage, for deployments that"
        + " set none"),
    Flag(
      "default-soak-ms", default: "60000",
      help: "milliseconds between a stage's end and the next stage, for deployments that set"
        + " none"),
    Flag(
      "default-stage-timeout-ms", default: "600000",
      help: "milliseconds a device has to report the new version running before it counts as"
        + " failed, for deployments that set none"),
    Flag(
      "default-error-threshold-percent", default: "20",
      help: "percentage of a stage's devices whose failure halts the rollout, for deployments"
        + " that set none"),
    Flag(
      "service-principal", default: "service:registry",
      help: "principal of this service's token, recorded in the audit events of its own"
        + " actions"),
  ])
Logger.level = options.logLevel
umask(0o077)
let logger = Logger(component: "registry")

func fail(_ message: String, _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:])
  -> Never
{
  logger.error(message, fields)
  exit(1)
}

guard let maximumArtifactBytes = Int64(options.flags["max-artifact-bytes"] ?? ""),
  maximumArtifactBytes > 0
else {
  StandardError.write("edgecat-registry: --max-artifact-bytes must be a positive number of bytes\n")
  exit(2)
}
let tickMilliseconds = options.integerOrExit("rollout-tick-ms")
let stageText = options.flags["default-stages"] ?? ""
let stageParts = stageText.split(separator: ",")
let stages = stageParts.compactMap { Int32($0.trimmingPrefix(" ")) }
guard stages.count == stageParts.count else {
  StandardError.write(
    "edgecat-registry: --default-stages \"\(stageText)\" is invalid; use percentages such as"
      + " 10,50,100\n")
  exit(2)
}
let rolloutDefaults = RolloutDefaults(
  stagePercents: stages, soakMilliseconds: options.integerOrExit("default-soak-ms"),
  stageTimeoutMilliseconds: options.integerOrExit("default-stage-timeout-ms"),
  errorThresholdPercent: Double(options.flags["default-error-threshold-percent"] ?? "") ?? -1)
do {
  _ = try rolloutDefaults.filled(nil)
} catch {
  StandardError.write(
    "edgecat-registry: the default rollout flags are invalid: \(error.message); use a threshold"
      + " from 0 to 100\n")
  exit(2)
}

let token = options.serviceTokenOrExit(logger: logger)
options.openDataDirectoryOrExit(logger: logger)
let databasePath = options.dataDirectory + "/registry.db"
let engine: RegistryEngine
do {
  engine = try await RegistryEngine.open(
    path: databasePath, blobPath: options.dataDirectory + "/blobs",
    maximumArtifactBytes: maximumArtifactBytes)
} catch {
  fail("cannot open the registry database", ["path": databasePath, "error": "\(error)"])
}

let policy = PolicyClient(endpoint: options.policyEndpoint, serviceToken: token)
let catalog = CatalogClient.catalog(endpoint: options.catalogEndpoint, serviceToken: token)
let registry: RegistryServer
let scheduler: RolloutScheduler
let dropFollower: ModelDropFollower
do {
  registry = try RegistryServer(
    engine: engine, policy: policy, catalog: catalog, environment: options.environment,
    rolloutDefaults: rolloutDefaults)
  scheduler = try RolloutScheduler(
    engine: engine, interval: .milliseconds(tickMilliseconds),
    principal: options.flags["service-principal"] ?? "service:registry",
    environment: options.environment)
  dropFollower = try ModelDropFollower(
    engine: engine, policy: policy,
    principal: options.flags["service-principal"] ?? "service:registry")
} catch {
  fail("cannot read the system's random source", ["error": "\(error)"])
}
policy.startWatching()
let following = Task { await dropFollower.run() }
let rollouts = Task { await scheduler.run() }
let lineageSender = LineageOutboxSender(engine: engine, catalog: catalog)
lineageSender.start()

let server = RPCServer(services: [registry])
do {
  let port = try server.start(listeningOn: options.listen)
  try options.writePortFile(port)
} catch {
  fail("cannot listen", ["listen": options.listen, "error": "\(error)"])
}
await server.runUntilSignalled()
following.cancel()
rollouts.cancel()
await lineageSender.stop()
policy.close()
catalog.close()
await engine.close()
logger.info("registry service stopped")
exit(0)
