// edgecat-catalog: the namespace of catalogs, schemas, tables, views, volumes, functions and
// hosted objects, with tags, lineage and audit events, kept in one SQLite database in
// --data-dir. Every securable it creates is registered with edgecat-policy.
import EdgecatCatalog
import EdgecatCatalogServer
import EdgecatLog
import EdgecatRPC
import EdgecatServiceKit
import Glibc

let options = ServiceOptions.parseOrExit(
  name: "catalog",
  summary: "Serves edgecat.catalog.v1.CatalogService: the namespace, tags, lineage and audit.",
  defaultPort: 7402,
  calls: ["policy"],
  servesEnvironments: true,
  extraFlags: [
    Flag("metastore-name", default: "edgecat", help: "name of the metastore on first start"),
    Flag(
      "reconcile-retry-ms", default: "1000",
      help: "milliseconds between attempts of the start-up reconcile while the policy service"
        + " is unreachable"),
  ])
Logger.level = options.logLevel
umask(0o077)
let logger = Logger(component: "catalog")

func fail(_ message: String, _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:])
  -> Never
{
  logger.error(message, fields)
  exit(1)
}

guard let retryMilliseconds = Int(options.flags["reconcile-retry-ms"] ?? ""), retryMilliseconds > 0
else {
  StandardError.write(
    "edgecat-catalog: --reconcile-retry-ms must be a positive number of milliseconds\n")
  exit(2)
}
let token = options.serviceTokenOrExit(logger: logger)
options.openDataDirectoryOrExit(logger: logger)
let databasePath = options.dataDirectory + "/catalog.db"
let engine: CatalogEngine
do {
  engine = try await CatalogEngine.open(
    path: databasePath, metastoreName: options.flags["metastore-name"] ?? "edgecat")
} catch {
  fail("cannot open the catalog database", ["path": databasePath, "error": "\(error)"])
}

let policy = PolicyClient(endpoint: options.policyEndpoint, serviceToken: token)
policy.startWatching()
let catalog: CatalogServer
do {
  catalog = try CatalogServer(engine: engine, policy: policy, environment: options.environment)
} catch {
  fail("cannot read the system's random source", ["error": "\(error)"])
}
let server = RPCServer(services: [catalog])
do {
  let port = try server.start(listeningOn: options.listen)
  try options.writePortFile(port)
} catch {
  fail("cannot listen", ["listen": options.listen, "error": "\(error)"])
}

let reconcile = Task {
  while !Task.isCancelled {
    do {
      _ = try await catalog.reconcile()
      return
    } catch let error as RPCError
      where error.code == .permissionDenied || error.code == .unauthenticated
    {
      // Retrying cannot help: the token in --token-file is not one edgecat-policy accepts
      // from a service.
      fail(
        "the policy service rejected this service's token; pass the token of a member of"
          + " edgecat-services in --token-file",
        ["token_file": options.tokenFile ?? "", "error": "\(error)"])
    } catch {
      logger.warning(
        "start-up reconcile failed, retrying",
        ["policy.endpoint": options.policyEndpoint, "error": "\(error)"])
      try? await Task.sleep(for: .milliseconds(retryMilliseconds))
    }
  }
}
await server.runUntilSignalled()
reconcile.cancel()
policy.close()
await engine.close()
logger.info("catalog service stopped")
exit(0)
