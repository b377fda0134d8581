import EdgecatCore
import EdgecatRPC
import EdgecatStore
import Foundation

@testable import EdgecatAgent

/// The local service of an edge agent in this process, over a spool database in a temporary
/// folder, with its local token in a mode 0600 file made by the agent's own code, for the
/// built `edgecat` binary to call.
final class AgentFixture: Sendable {
  static let model = "main.ml.defects"
  static let modelVersion: Int64 = 4
  /// Hex SHA-256 of each record's input, 64 characters.
  static let inputHash = String(repeating: "ab", count: 32)

  let folder: String
  let tokenFile: String
  let token: String
  let store: Store
  let spool: Spool
  let server: RPCServer
  let endpoint: Endpoint

  /// Starts the service, runs `body` and stops it, also when `body` throws.
  static func with<Result>(_ body: (AgentFixture) async throws -> Result) async throws -> Result {
    let fixture = try await AgentFixture()
    do {
      let result = try await body(fixture)
      await fixture.stop()
      return result
    } catch {
      await fixture.stop()
      throw error
    }
  }

  private init() async throws {
    folder = try temporaryFolder("edgecat-cli-agent")
    tokenFile = folder + "/local-token"
    token = try LocalToken.loadOrCreate(at: tokenFile)
    store = try await AgentDatabase.open(dataDirectory: folder)
    spool = try await Spool.open(store: store, maximumBytes: 1 << 20)
    var configuration = ServerConfiguration()
    configuration.shutdownGracePeriod = .milliseconds(200)
    let service = AgentService(spool: spool, models: NoModels(), localToken: token)
    server = RPCServer(services: [service], configuration: configuration)
    let port = try server.start(listeningOn: Endpoint(host: "127.0.0.1", port: 0))
    endpoint = Endpoint(host: "127.0.0.1", port: port)
  }

  /// Spools records with seqs 1 to `records` and one label for each seq of `labelSeqs`, then
  /// moves the records of `quarantinedSeqs` and every label to quarantine as the forwarder
  /// does after telemetry rejects them. Returns the ids of the labels, in order.
  @discardableResult
  func quarantine(records: Int, quarantinedSeqs: [UInt64], labelSeqs: [UInt64] = [])
    async throws -> [Int64]
  {
    let spooled = try await spool.append(
      (0..<records).map { index in
        SpoolRecord(
          timestampMs: 1_700_000_000_000 + Int64(index) * 1000, modelFullName: Self.model,
          modelVersion: Self.modelVersion, prediction: 1, confidence: 0.9, latencyMs: 3,
          inputHash: Self.inputHash)
      })
    guard spooled.map(\.seq) == (1...UInt64(records)).map({ $0 }) else {
      throw CLIFailure("the spool gave seqs \(spooled.map(\.seq)), not 1 to \(records)")
    }
    for seq in quarantinedSeqs {
      let batch = try await spool.pending(afterSeq: seq - 1, afterLabelID: Int64.max, limit: 1)
      guard try await spool.quarantine(batch, statusCode: 3, message: Self.message(seq: seq))
      else { throw CLIFailure("record \(seq) was not pending") }
    }
    _ = try await spool.appendLabels(
      labelSeqs.map { SpoolLabel(epoch: spool.epoch, seq: $0, label: 1) })
    var labelIDs: [Int64] = []
    while true {
      let batch = try await spool.pending(
        afterSeq: UInt64(Int64.max), afterLabelID: labelIDs.last ?? 0, limit: 1)
      guard let label = batch.labels.first else { break }
      guard try await spool.quarantine(batch, statusCode: 9, message: "label of an unknown record")
      else { throw CLIFailure("label \(label.id) was not pending") }
      labelIDs.append(label.id)
    }
    return labelIDs
  }

  /// Returns the message that telemetry's rejection of record `seq` carries in the quarantine.
  static func message(seq: UInt64) -> String { "record seq \(seq): confidence is out of range" }

  /// The environment the binary runs with: the agent's endpoint and token file, and closed
  /// ports for the other services, never another process on a default port.
  var environment: [String: String] {
    var environment = [
      "HOME": folder, "PATH": "/usr/bin:/bin",
      "EDGECAT_AGENT_ENDPOINT": endpoint.description,
      "EDGECAT_AGENT_TOKEN_FILE": tokenFile,
    ]
    for service in ["POLICY", "CATALOG", "REGISTRY", "TELEMETRY"] {
      environment["EDGECAT_\(service)_ENDPOINT"] = "127.0.0.1:1"
    }
    return environment
  }

  /// Runs `edgecat` with `arguments`; `overrides` adds to or replaces the fixture's variables,
  /// and a nil value removes one.
  func edgecat(_ arguments: String..., environment overrides: [String: String?] = [:])
    async throws -> CLIResult
  {
    var environment = self.environment
    for (key, value) in overrides { environment[key] = value }
    return try await CLIRunner.run(arguments, environment: environment)
  }

  /// Runs `edgecat` and fails unless it exits 0.
  @discardableResult
  func succeed(_ arguments: String...) async throws -> CLIResult {
    let result = try await CLIRunner.run(arguments, environment: environment)
    guard result.status == 0 else {
      throw CLIFailure(
        "edgecat \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
    }
    return result
  }

  /// Reads the seqs of the quarantined records, in order, from the spool itself.
  func quarantinedSeqs() async throws -> [UInt64] {
    try await spool.quarantinedRecords().map(\.record.seq)
  }

  /// Reads the ids of the quarantined labels, in order, from the spool itself.
  func quarantinedLabelIDs() async throws -> [Int64] {
    try await spool.quarantinedLabels().map(\.label.id)
  }

  private func stop() async {
    await server.shutdown()
    store.close()
    try? FileManager.default.removeItem(atPath: folder)
  }
}

/// A model source with no model, because the quarantine calls use none.
private final class NoModels: ModelSource {
  let assignments = AssignmentBroadcaster()
  var runningModel: InstalledModel? { nil }

  func modelLoaded(generation: UInt64, loaded: Bool, message: String) async throws(ServiceError) {}
}
