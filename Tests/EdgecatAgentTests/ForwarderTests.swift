import EdgecatAgent
import EdgecatProto
import EdgecatRPC
import EdgecatStore
import EdgecatTestSupport
import Testing

/// A spool and a forwarder that sends it to a `FakeTelemetry` on a loopback port.
struct ForwarderFixture {
  let folder = TemporaryDirectory()
  let store: Store
  let spool: Spool
  let telemetry = FakeTelemetry()
  let server: RPCServer
  let endpoint: Endpoint
  let uplink: Uplink
  let forwarder: Forwarder

  init(batchRecords: Int, window: Int, maximumBytes: Int64 = 1 << 24) async throws {
    store = try await AgentDatabase.open(dataDirectory: folder.path)
    spool = try await Spool.open(store: store, maximumBytes: maximumBytes)
    server = RPCServer(services: [telemetry], configuration: Self.configuration)
    let port = try server.start(listeningOn: Endpoint(host: "127.0.0.1", port: 0))
    endpoint = Endpoint(host: "127.0.0.1", port: port)
    uplink = Uplink(
      deviceID: "dev-1", token: "device-token", registryEndpoint: endpoint,
      telemetryEndpoint: endpoint)
    forwarder = Forwarder(
      spool: spool, uplink: uplink, batchRecords: batchRecords, window: window,
      backoffLimit: .milliseconds(200))
  }

  /// A short shutdown grace, because the ingest stream stays open until the server ends it.
  static var configuration: ServerConfiguration {
    var configuration = ServerConfiguration()
    configuration.shutdownGracePeriod = .milliseconds(200)
    return configuration
  }

  func spoolRecords(_ count: Int) async throws {
    _ = try await spool.append(
      (0..<count).map { index in
        SpoolRecord(
          timestampMs: 1_700_000_000_000, modelFullName: "main.ml.defects", modelVersion: 2,
          prediction: Double(index % 3), confidence: 0.5, latencyMs: 1, inputHash: "aa")
      })
  }

  func stop() async {
    uplink.close()
    await server.shutdown()
    store.close()
    folder.remove()
  }
}

@Suite("Forwarder")
struct ForwarderTests {
  @Test("forwards every record and empties the spool")
  func forwardsAll() async throws {
    let fixture = try await ForwarderFixture(batchRecords: 1000, window: 2)
    try await fixture.spoolRecords(2500)
    let running = Task { await fixture.forwarder.run() }
    #expect(await eventually { fixture.spool.statistics.records == 0 })
    running.cancel()
    await running.value

    let records = fixture.telemetry.state.withLock { Array($0.records.values) }
    #expect(records.count == 2500)
    #expect(Set(records.map(\.seq)) == Set(1...2500))
    #expect(records.allSatisfy { $0.deviceID == "dev-1" })
    #expect(records.allSatisfy { $0.epoch == fixture.spool.epoch })
    #expect(records.allSatisfy { $0.modelVersion == 2 })
    #expect(fixture.forwarder.counters.batches == 3)
    await fixture.stop()
  }

  @Test("splits batches telemetry finds too large")
  func splitsLargeBatches() async throws {
    let fixture = try await ForwarderFixture(batchRecords: 1000, window: 4)
    fixture.telemetry.state.withLock { $0.maximumEntries = 300 }
    try await fixture.spoolRecords(1200)
    let running = Task { await fixture.forwarder.run() }
    #expect(await eventually { fixture.spool.statistics.records == 0 })
    running.cancel()
    await running.value

    #expect(fixture.telemetry.recordCount == 1200)
    #expect(fixture.forwarder.counters.splits >= 2)
    #expect(fixture.forwarder.batchRecords <= 300)
    #expect(fixture.forwarder.counters.streams == 1)
    await fixture.stop()
  }

  @Test("reconnects after a rejection and sends again")
  func retriesAfterRejection() async throws {
    let fixture = try await ForwarderFixture(batchRecords: 100, window: 8)
    // UNAVAILABLE for the first batch; the rest of that stream is sent again.
    fixture.telemetry.state.withLock { $0.rejections = [14] }
    try await fixture.spoolRecords(450)
    let running = Task { await fixture.forwarder.run() }
    #expect(await eventually { fixture.spool.statistics.records == 0 })
    running.cancel()
    await running.value

    #expect(fixture.telemetry.recordCount == 450)
    #expect(fixture.forwarder.counters.streams >= 2)
    await fixture.stop()
  }

  @Test("keeps records while telemetry is down")
  func survivesOutage() async throws {
    let fixture = try await ForwarderFixture(batchRecords: 100, window: 8)
    try await fixture.spoolRecords(50)
    let running = Task { await fixture.forwarder.run() }
    #expect(await eventually { fixture.spool.statistics.records == 0 })

    await fixture.server.shutdown()
    try await fixture.spoolRecords(70)
    try await Task.sleep(for: .milliseconds(300))
    #expect(fixture.spool.statistics.records == 70)

    let telemetry = FakeTelemetry()
    let restarted = RPCServer(
      services: [telemetry], configuration: ForwarderFixture.configuration)
    try restarted.start(listeningOn: fixture.endpoint)
    #expect(await eventually { fixture.spool.statistics.records == 0 })
    running.cancel()
    await running.value
    #expect(telemetry.recordCount == 70)
    await restarted.shutdown()
    await fixture.stop()
  }

  @Test("keeps at most a window of batches unacknowledged")
  func window() async throws {
    let fixture = try await ForwarderFixture(batchRecords: 100, window: 3)
    fixture.telemetry.state.withLock { $0.holdAcknowledgements = true }
    try await fixture.spoolRecords(1000)
    let running = Task { await fixture.forwarder.run() }
    #expect(await eventually { fixture.telemetry.state.withLock { $0.received } == 3 })
    try await Task.sleep(for: .milliseconds(200))
    #expect(fixture.telemetry.state.withLock { $0.received } == 3)
    #expect(fixture.spool.statistics.records == 1000)

    fixture.telemetry.state.withLock { $0.holdAcknowledgements = false }
    #expect(await eventually { fixture.spool.statistics.records == 0 })
    running.cancel()
    await running.value
    #expect(fixture.telemetry.recordCount == 1000)
    #expect(fixture.telemetry.state.withLock { $0.received } == 10)
    await fixture.stop()
  }

  @Test("heartbeat reports a full spool")
  func heartbeatFull() async throws {
    let fixture = try await ForwarderFixture(batchRecords: 100, window: 8, maximumBytes: 81 * 2)
    try await fixture.spoolRecords(2)
    await #expect(throws: (any Error).self) { try await fixture.spoolRecords(1) }
    let heartbeater = Heartbeater(
      uplink: fixture.uplink, spool: fixture.spool, interval: .seconds(30),
      dataDirectory: fixture.folder.path)
    try await heartbeater.beat()
    let sent = try #require(fixture.telemetry.state.withLock { $0.heartbeats.first })
    #expect(sent.spoolFull)
    #expect(sent.spoolRecords == 2)
    await fixture.stop()
  }

  @Test("labels go out as label updates")
  func forwardsLabels() async throws {
    let fixture = try await ForwarderFixture(batchRecords: 100, window: 8)
    try await fixture.spoolRecords(3)
    _ = try await fixture.spool.appendLabels([
      SpoolLabel(epoch: fixture.spool.epoch, seq: 2, label: 1),
      SpoolLabel(epoch: "0123456789abcdef0123456789abcdef", seq: 9, label: 0),
    ])
    let running = Task { await fixture.forwarder.run() }
    #expect(await eventually { fixture.spool.statistics.labels == 0 })
    running.cancel()
    await running.value

    let labels = fixture.telemetry.state.withLock { $0.labels }
    #expect(labels.map(\.seq) == [2, 9])
    #expect(labels.allSatisfy { $0.deviceID == "dev-1" })
    #expect(labels[0].epoch == fixture.spool.epoch)
    #expect(labels[1].label == 0)
    await fixture.stop()
  }

  @Test("heartbeat carries the spool's depth")
  func heartbeat() async throws {
    let fixture = try await ForwarderFixture(batchRecords: 100, window: 8)
    try await fixture.spoolRecords(5)
    let heartbeater = Heartbeater(
      uplink: fixture.uplink, spool: fixture.spool, interval: .seconds(30),
      dataDirectory: fixture.folder.path)
    try await heartbeater.beat()
    let sent = try #require(fixture.telemetry.state.withLock { $0.heartbeats.first })
    #expect(sent.deviceID == "dev-1")
    #expect(sent.spoolRecords == 5)
    #expect(sent.spoolBytes == 5 * (64 + 15 + 2))
    #expect(!sent.spoolFull)
    #expect(sent.agentVersion == AgentVersion.current)
    #expect(sent.memoryBytes > 0)
    await fixture.stop()
  }
}
