// edgecat-policy: identities, tokens, grants and the access decisions that every other
// edgecat service requests, kept in one SQLite database in --data-dir.
import EdgecatLog
import EdgecatPolicy
import EdgecatPolicyServer
import EdgecatRPC
import EdgecatServiceKit
import Glibc

let options = ServiceOptions.parseOrExit(
  name: "policy",
  summary: "Serves edgecat.policy.v1.PolicyService: principals, tokens, grants and decisions.",
  defaultPort: 7401,
  calls: [],
  extraFlags: [
    Flag("bootstrap-admin", help: "on first start, create this admin user in metastore-admins"),
    Flag("bootstrap-token-file", help: "file to write the admin's token to (mode 0600)"),
    Flag(
      "bootstrap-service", repeatable: true,
      help: "on first start, create service:NAME in edgecat-services; NAME=TOKEN_FILE"),
    Flag("watch-lease-ms", default: "300", help: "Watch lease of caching callers, milliseconds"),
    Flag(
      "decision-log-retention-days", default: "30",
      help: "days to keep the decision log of Check and BatchCheck; older entries are deleted"),
    Flag(
      "check-cache-entries", default: "\(CheckResponseCache.defaultCapacity)",
      help: "encoded Check responses kept for repeated requests; 0 decides every Check anew"),
  ])
Logger.level = options.logLevel
// The database contains token hashes and the token files contain secrets, so nothing this
// process creates is readable by other users.
umask(0o077)
let logger = Logger(component: "policy")

func fail(_ message: String, _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:])
  -> Never
{
  logger.error(message, fields)
  exit(1)
}

/// Writes a token to `path` with mode 0600, replacing the file atomically.
func writeSecret(_ secret: String, to path: String) {
  let temporary = path + ".tmp"
  let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
  guard fd >= 0 else { fail("cannot write token file", ["path": path, "errno": errno]) }
  let bytes = Array((secret + "\n").utf8)
  let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
  fsync(fd)
  close(fd)
  guard written == bytes.count, rename(temporary, path) == 0 else {
    fail("cannot write token file", ["path": path, "errno": errno])
  }
}

guard let leaseMilliseconds = Int(options.flags["watch-lease-ms"] ?? ""), leaseMilliseconds > 0
else {
  StandardError.write(
    "edgecat-policy: --watch-lease-ms \"\(options.flags["watch-lease-ms"] ?? "")\" is invalid; "
      + "use a positive number of milliseconds\n")
  exit(2)
}
guard let retentionDays = Int(options.flags["decision-log-retention-days"] ?? ""),
  retentionDays > 0
else {
  StandardError.write(
    "edgecat-policy: --decision-log-retention-days must be a positive number of days\n")
  exit(2)
}
guard let checkCacheEntries = Int(options.flags["check-cache-entries"] ?? ""),
  checkCacheEntries >= 0
else {
  StandardError.write(
    "edgecat-policy: --check-cache-entries \"\(options.flags["check-cache-entries"] ?? "")\" is "
      + "invalid; use a number of entries, 0 or more\n")
  exit(2)
}
var services: [(name: String, path: String)] = []
for value in options.flags.all("bootstrap-service") {
  let parts = value.split(separator: "=", maxSplits: 1).map(String.init)
  guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
    StandardError.write(
      "edgecat-policy: --bootstrap-service \"\(value)\" is invalid; use NAME=TOKEN_FILE\n")
    exit(2)
  }
  services.append((parts[0], parts[1]))
}
let admin = options.flags["bootstrap-admin"]
let adminTokenFile = options.flags["bootstrap-token-file"]
if (admin == nil) != (adminTokenFile == nil) {
  StandardError.write(
    "edgecat-policy: --bootstrap-admin and --bootstrap-token-file go together; set both\n")
  exit(2)
}

options.openDataDirectoryOrExit(logger: logger)
let databasePath = options.dataDirectory + "/policy.db"
let engine: PolicyEngine
do {
  engine = try await PolicyEngine.open(
    path: databasePath,
    options: PolicyOptions(decisionLog: DecisionLogOptions(retentionDays: retentionDays)))
} catch {
  fail("cannot open the policy database", ["path": databasePath, "error": "\(error)"])
}

/// Fails unless a file can be created at `path`, so that bootstrap, which runs once, never
/// creates principals whose tokens then cannot be written.
func requireWritable(_ path: String) {
  let probe = path + ".probe"
  let fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
  guard fd >= 0 else {
    fail(
      "cannot write a token file; fix the path or its folder before the first start",
      ["path": path, "error": String(cString: strerror(errno))])
  }
  close(fd)
  unlink(probe)
}

if let admin, let adminTokenFile {
  requireWritable(adminTokenFile)
  for service in services { requireWritable(service.path) }
  do {
    if let result = try await engine.bootstrap(admin: admin, services: services.map(\.name)) {
      writeSecret(result.admin.secret, to: adminTokenFile)
      for (service, token) in zip(services, result.services) {
        writeSecret(token.secret, to: service.path)
      }
    } else {
      logger.info(
        "already bootstrapped, leaving principals and tokens as they are",
        ["bootstrap.admin": admin])
    }
  } catch {
    fail("bootstrap failed", ["error": "\(error)"])
  }
}

let server = RPCServer(
  services: [
    PolicyServer(
      engine: engine, lease: .milliseconds(leaseMilliseconds),
      checkCacheEntries: checkCacheEntries)
  ])
do {
  let port = try server.start(listeningOn: options.listen)
  try options.writePortFile(port)
} catch {
  fail("cannot listen", ["listen": options.listen, "error": "\(error)"])
}
await server.runUntilSignalled()
engine.close()
logger.info("policy service stopped")
exit(0)
