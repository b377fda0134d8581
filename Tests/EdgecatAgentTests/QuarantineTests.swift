import EdgecatAgent
import EdgecatStore
import Testing

@Suite("Forwarder quarantine")
struct QuarantineTests {
  @Test("rejected record moves to quarantine, the rest go on")
  func quarantinesRejectedRecord() async throws {
    let fixture = try await ForwarderFixture(batchRecords: 100, window: 4)
    fixture.telemetry.state.withLock { $0.invalidSeqs = [137] }
    try await fixture.spoolRecords(250)
    let running = Task { await fixture.forwarder.run() }
    #expect(await eventually { fixture.spool.statistics.records == 0 })

    let stored = fixture.telemetry.state.withLock { Set($0.records.values.map(\.seq)) }
    #expect(stored == Set(1...250).subtracting([137]))
    let quarantined = try await fixture.spool.quarantinedRecords()
    #expect(quarantined.map(\.record.seq) == [137])
    #expect(quarantined.first?.statusCode == 3)
    #expect(quarantined.first?.message.contains("seq 137") == true)
    #expect(quarantined.first?.record.confidence == 0.5)
    #expect(fixture.spool.statistics.quarantined == 1)
    #expect(fixture.forwarder.counters.quarantinedEntries == 1)
    // Quarantine counts against the byte cap: one record of 64 + 15 + 2 bytes.
    #expect(fixture.spool.statistics.bytes == 81)

    try await fixture.spoolRecords(10)
    #expect(await eventually { fixture.telemetry.recordCount == 259 })
    #expect(await eventually { fixture.spool.statistics.records == 0 })
    running.cancel()
    await running.value
    #expect(fixture.forwarder.counters.streams == 1)
    #expect(fixture.spool.statistics.quarantined == 1)
    await fixture.stop()
  }

  @Test("quarantine survives a restart of the spool")
  func quarantineIsDurable() async throws {
    let fixture = try await ForwarderFixture(batchRecords: 8, window: 2)
    fixture.telemetry.state.withLock { $0.invalidSeqs = [3, 4] }
    try await fixture.spoolRecords(8)
    let running = Task { await fixture.forwarder.run() }
    #expect(await eventually { fixture.spool.statistics.records == 0 })
    running.cancel()
    await running.value

    let reopened = try await Spool.open(store: fixture.store, maximumBytes: 1 << 24)
    #expect(reopened.statistics.quarantined == 2)
    #expect(reopened.statistics.records == 0)
    #expect(try await reopened.quarantinedRecords().map(\.record.seq) == [3, 4])
    #expect(fixture.telemetry.recordCount == 6)
    await fixture.stop()
  }

  @Test("device-wide rejection quarantines nothing")
  func deviceRejectionRetries() async throws {
    let fixture = try await ForwarderFixture(batchRecords: 100, window: 4)
    // FAILED_PRECONDITION, as for an unregistered device, then PERMISSION_DENIED.
    fixture.telemetry.state.withLock { $0.rejections = [9, 7] }
    try await fixture.spoolRecords(120)
    let running = Task { await fixture.forwarder.run() }
    #expect(await eventually { fixture.spool.statistics.records == 0 })
    running.cancel()
    await running.value

    #expect(fixture.telemetry.recordCount == 120)
    #expect(fixture.spool.statistics.quarantined == 0)
    #expect(fixture.forwarder.counters.streams >= 2)
    await fixture.stop()
  }
}
