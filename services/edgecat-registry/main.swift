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
  extraFlags: [
    Flag(
      "max-artifact-bytes", default: String(RegistryEngine.defaultMaximumArtifactBytes),
      help: "maximum artifact size an upload may declare, in bytes"),
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
guard let tokenFile = options.tokenFile else {
  StandardError.write(
    "edgecat-registry: --token-file is missing; pass the file with this service's token, as"
      + " edgecat-policy --bootstrap-service registry=PATH wrote it\n")
  exit(2)
}
let token: String
do {
  token = try readTokenFile(tokenFile)
} catch {
  fail("cannot read the token file", ["path": tokenFile, "error": error.message])
}

if let error = createDirectories(options.dataDirectory) {
  fail("cannot create the data folder", ["path": options.dataDirectory, "errno": error])
}
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
let catalog = CatalogClient(endpoint: options.catalogEndpoint, serviceToken: token)
let registry: RegistryServer
let dropFollower: ModelDropFollower
do {
  registry = try RegistryServer(
    engine: engine, policy: policy, catalog: catalog, environment: options.environment)
  dropFollower = try ModelDropFollower(
    engine: engine, policy: policy,
    principal: options.flags["service-principal"] ?? "service:registry")
} catch {
  fail("cannot read the system's random source", ["error": "\(error)"])
}
policy.startWatching()
let following = Task { await dropFollower.run() }

let server = RPCServer(services: [registry])
do {
  let port = try server.start(listeningOn: options.listen)
  try options.writePortFile(port)
} catch {
  fail("cannot listen", ["listen": options.listen, "error": "\(error)"])
}
await server.runUntilSignalled()
following.cancel()
policy.close()
catalog.close()
await engine.close()
logger.info("registry service stopped")
exit(0)
