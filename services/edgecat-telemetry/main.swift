// edgecat-telemetry: device liveness, the inference log, governed queries, metrics and alerts,
// kept in one SQLite database in --data-dir. The inference log is a hosted table of
// edgecat-catalog, devices and model state come from edgecat-registry, and every call is
// authorized by edgecat-policy.
import EdgecatLog
import EdgecatRPC
import EdgecatServiceKit
import EdgecatTelemetry
import EdgecatTelemetryServer
import Glibc

let options = ServiceOptions.parseOrExit(
  name: "telemetry",
  summary: "Serves edgecat.telemetry.v1.TelemetryService: liveness, inference log ingest,"
    + " governed queries, metrics and alerts.",
  defaultPort: 7404,
  calls: ["policy", "catalog", "registry"],
  extraFlags: [
    Flag(
      "catalog-name", default: "production",
      help: "catalog of the hosted table <catalog>.edge_metrics.inference_logs"),
    Flag(
      "offline-after-ms", default: "3600000",
      help: "milliseconds without a heartbeat after which a device is Offline"),
    Flag(
      "heartbeat-interval-ms", default: "30000",
      help: "milliseconds the heartbeat response asks agents to wait between heartbeats"),
    Flag(
      "max-batch-records", default: "10000",
      help: "records an ingest batch may hold; larger batches are rejected, to be split"),
    Flag(
      "max-batch-bytes", default: "2097152",
      help: "bytes an encoded ingest batch may have; larger batches are rejected, to be split"),
    Flag("query-max-rows", default: "100000", help: "rows a query may return at most"),
    Flag("query-timeout-ms", default: "10000", help: "milliseconds a query may run at most"),
    Flag(
      "retention-days", default: "30",
      help: "days of raw records kept, by the day they were received; rollups are kept"),
    Flag(
      "retention-interval-ms", default: "3600000",
      help: "milliseconds between retention runs"),
    Flag(
      "alert-interval-ms", default: "30000",
      help: "milliseconds between evaluations of the alert rules"),
    Flag(
      "accuracy-window-ms", default: "3600000",
      help: "window of the default accuracy rule, in milliseconds"),
    Flag(
      "accuracy-min-labels", default: "50",
      help: "labelled records the default accuracy rule needs in its window"),
    Flag(
      "latency-window-ms", default: "900000",
      help: "window of the default p99 latency rule, in milliseconds"),
    Flag(
      "latency-min-records", default: "100",
      help: "records the default p99 latency rule needs in its window"),
    Flag(
      "service-principal", default: "service:telemetry",
      help: "principal of this service's token, which alert actions run as"),
  ])
Logger.level = options.logLevel
umask(0o077)
let logger = Logger(component: "telemetry")

func fail(_ message: String, _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:])
  -> Never
{
  logger.error(message, fields)
  exit(1)
}

let catalogName = (options.flags["catalog-name"] ?? "").lowercased()
guard !catalogName.isEmpty, !catalogName.contains(".") else {
  StandardError.write(
    "edgecat-telemetry: --catalog-name \"\(catalogName)\" is invalid; name one catalog, such as"
      + " production\n")
  exit(2)
}
var settings = TelemetrySettings()
settings.offlineAfterSeconds = Double(options.integerOrExit("offline-after-ms")) / 1000
settings.heartbeatIntervalMilliseconds = UInt32(
  clamping: options.integerOrExit("heartbeat-interval-ms"))
settings.queryMaxRows = options.integerOrExit("query-max-rows")
settings.queryTimeoutMilliseconds = options.integerOrExit("query-timeout-ms")
let maxBatchRecords = options.integerOrExit("max-batch-records")
let maxBatchBytes = options.integerOrExit("max-batch-bytes")
let retentionDays = options.integerOrExit("retention-days")
let retentionInterval = options.integerOrExit("retention-interval-ms")
let alertInterval = options.integerOrExit("alert-interval-ms")
let principal = options.flags["service-principal"] ?? "service:telemetry"

let token = options.serviceTokenOrExit(logger: logger)
options.openDataDirectoryOrExit(logger: logger)
let databasePath = options.dataDirectory + "/telemetry.db"
let engine: TelemetryEngine
do {
  engine = try await TelemetryEngine.open(
    path: databasePath,
    settings: TelemetryEngineSettings(
      maxBatchRecords: Int(maxBatchRecords), maxBatchBytes: Int(maxBatchBytes),
      retentionDays: Int(retentionDays)))
} catch {
  fail("cannot open the telemetry database", ["path": databasePath, "error": "\(error)"])
}

let queries: QueryEngine
do {
  queries = try QueryEngine(
    path: databasePath,
    tables: [
      HostedTable(
        fullName: "\(catalogName).\(HostedLogTable.schemaName).\(HostedLogTable.tableName)",
        rawTable: HostedLogTable.tableName, columns: InferenceLogColumns.names)
    ], clock: engine.clock)
} catch {
  fail("cannot open the query connections", ["path": databasePath, "error": "\(error)"])
}

let policy = PolicyClient(endpoint: options.policyEndpoint, serviceToken: token)
let catalog = CatalogClient.catalog(endpoint: options.catalogEndpoint, serviceToken: token)
let registry = RegistryClient.registry(endpoint: options.registryEndpoint, serviceToken: token)
let table = HostedLogTable(catalogName: catalogName, catalog: catalog)
let devices = DeviceDirectory(registry: registry)
let lineage = LineageRecorder(catalog: catalog, tableFullName: table.fullName)

var alertSettings = AlertSettings()
alertSettings.offlineAfterSeconds = max(1, options.integerOrExit("offline-after-ms") / 1000)
alertSettings.accuracyWindowSeconds = max(1, options.integerOrExit("accuracy-window-ms") / 1000)
alertSettings.accuracyMinLabels = options.integerOrExit("accuracy-min-labels", minimum: 0)
alertSettings.latencyWindowSeconds = max(1, options.integerOrExit("latency-window-ms") / 1000)
alertSettings.latencyMinRecords = options.integerOrExit("latency-min-records", minimum: 0)
alertSettings.servicePrincipal = principal
let alerts = AlertEngine(
  store: engine.store, settings: alertSettings, clock: engine.clock,
  actions: RegistryAlertActions(registry: registry))
do {
  try await alerts.seedDefaultRules()
} catch {
  fail("cannot store the default alert rules", ["error": error.message])
}
let evaluator = AlertEvaluator(
  alerts: alerts, devices: devices, registry: registry, interval: .milliseconds(alertInterval))

let telemetry: TelemetryServer
do {
  telemetry = try TelemetryServer(
    settings: settings, engine: engine, queries: queries, alerts: alerts, evaluator: evaluator,
    policy: policy, table: table, devices: devices, lineage: lineage)
} catch {
  fail("cannot read the system's random source", ["error": "\(error)"])
}
policy.startWatching()
let registering = Task { await table.run() }
let evaluating = Task { await evaluator.run() }
let retaining = Task {
  while !Task.isCancelled {
    try? await Task.sleep(for: .milliseconds(retentionInterval))
    guard !Task.isCancelled else { break }
    _ = try? await telemetry.runRetention()
  }
}

let server = RPCServer(services: [telemetry])
do {
  let port = try server.start(listeningOn: options.listen)
  try options.writePortFile(port)
} catch {
  fail("cannot listen", ["listen": options.listen, "error": "\(error)"])
}
logger.info(
  "telemetry service started",
  ["listen": options.listen, "table": table.fullName, "data.dir": options.dataDirectory])
await server.runUntilSignalled()
registering.cancel()
evaluating.cancel()
alerts.finishWatches()
retaining.cancel()
policy.close()
catalog.close()
registry.close()
queries.close()
await engine.close()
logger.info("telemetry service stopped")
exit(0)
