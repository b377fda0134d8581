import EdgecatCore
import EdgecatStore
import Testing

@testable import EdgecatAgent

/// Runs the forwarder of `fixture` until the spool has no pending entries, then stops it.
private func forwardAll(_ fixture: ForwarderFixture) async {
  let running = Task { await fixture.forwarder.run() }
  #expect(
    await eventually {
      fixture.spool.statistics.records + fixture.spool.statistics.labels == 0
    })
  running.cancel()
  await running.value
}

/// Spools 8 records, of which telemetry rejects seqs 3 and 4, and forwards them.
private func quarantineThreeAndFour(batchRecords: Int = 8) async throws -> ForwarderFixture {
  let fixture = try await ForwarderFixture(batchRecords: batchRecords, window: 2)
  fixture.telemetry.state.withLock { $0.invalidSeqs = [3, 4] }
  try await fixture.spoolRecords(8)
  await forwardAll(fixture)
  return fixture
}

/// Moves the pending record `seq` to quarantine as the forwarder does after a rejection.
private func quarantine(seq: UInt64, in spool: Spool) async throws {
  let pending = try await spool.pending(afterSeq: seq - 1, afterLabelID: Int64.max, limit: 1)
  #expect(pending.records.map(\.seq) == [seq])
  let moved = try await spool.quarantine(pending, statusCode: 3, message: "invalid in the test")
  #expect(moved)
}

@Suite("Quarantine resend and discard")
struct QuarantineCommandTests {
  /// Bytes one record of `ForwarderFixture.spoolRecords` counts: 64 + 15 + 2.
  static let recordBytes: Int64 = 81

  @Test("resend forwards records on an open stream")
  func resendForwardsOnOpenStream() async throws {
    let fixture = try await quarantineThreeAndFour()
    #expect(fixture.telemetry.recordCount == 6)
    fixture.telemetry.state.withLock { $0.invalidSeqs = [] }

    let streams = fixture.forwarder.counters.streams
    let running = Task { await fixture.forwarder.run() }
    // Seqs above the quarantined ones pass through the stream first, so its cursor is past 4.
    try await fixture.spoolRecords(4)
    #expect(await eventually { fixture.telemetry.recordCount == 10 })
    let change = try await fixture.spool.resendQuarantined(QuarantineSelection(seqs: [3]))
    #expect(change == QuarantineChange(records: 1, labels: 0, bytes: 0))
    #expect(await eventually { fixture.telemetry.recordCount == 11 })
    #expect(await eventually { fixture.spool.statistics.records == 0 })
    #expect(try await fixture.spool.quarantinedRecords().map(\.record.seq) == [4])
    #expect(fixture.spool.statistics.quarantined == 1)
    #expect(fixture.spool.statistics.bytes == Self.recordBytes)

    let resent = try await fixture.spool.resendQuarantined(.everything)
    #expect(resent.records == 1)
    #expect(await eventually { fixture.telemetry.recordCount == 12 })
    #expect(await eventually { fixture.spool.statistics.bytes == 0 })
    running.cancel()
    await running.value

    let seqs = fixture.telemetry.state.withLock { Set($0.records.values.map(\.seq)) }
    #expect(seqs == Set(1...12))
    let epochs = fixture.telemetry.state.withLock { Set($0.records.values.map(\.epoch)) }
    #expect(epochs == [fixture.spool.epoch])
    #expect(fixture.spool.statistics.quarantined == 0)
    #expect(fixture.forwarder.counters.streams == streams + 1)
    await fixture.stop()
  }

  @Test("resent record rejected again returns to quarantine")
  func resentRecordRejectedAgain() async throws {
    let fixture = try await quarantineThreeAndFour()
    let running = Task { await fixture.forwarder.run() }
    _ = try await fixture.spool.resendQuarantined(.everything)
    #expect(await eventually { fixture.forwarder.counters.quarantinedEntries == 4 })
    #expect(await eventually { fixture.spool.statistics.records == 0 })

    // The forwarder goes on with later records and sends the rejected ones no more.
    let received = fixture.telemetry.state.withLock { $0.received }
    try await fixture.spoolRecords(2)
    #expect(await eventually { fixture.telemetry.recordCount == 8 })
    // Telemetry stores a batch before the agent reads its acknowledgement and deletes it.
    #expect(await eventually { fixture.spool.statistics.bytes == 2 * Self.recordBytes })
    running.cancel()
    await running.value
    #expect(fixture.forwarder.counters.quarantinedEntries == 4)
    #expect(fixture.telemetry.state.withLock { $0.received } == received + 1)
    let quarantined = try await fixture.spool.quarantinedRecords()
    #expect(quarantined.map(\.record.seq) == [3, 4])
    #expect(quarantined.allSatisfy { $0.statusCode == 3 })
    #expect(fixture.spool.statistics.quarantined == 2)
    #expect(fixture.spool.statistics.bytes == 2 * Self.recordBytes)
    await fixture.stop()
  }

  @Test("discard frees bytes under the cap")
  func discardFreesBytes() async throws {
    // Room for 10 records: 8 spooled, 2 of them quarantined after forwarding.
    let fixture = try await ForwarderFixture(
      batchRecords: 8, window: 2, maximumBytes: 10 * Self.recordBytes)
    fixture.telemetry.state.withLock { $0.invalidSeqs = [3, 4] }
    try await fixture.spoolRecords(8)
    await forwardAll(fixture)
    try await fixture.spoolRecords(8)
    await #expect(throws: ServiceError.self) { try await fixture.spoolRecords(1) }
    #expect(fixture.spool.statistics.full)

    let change = try await fixture.spool.discardQuarantined(QuarantineSelection(seqs: [4]))
    #expect(change == QuarantineChange(records: 1, labels: 0, bytes: Self.recordBytes))
    #expect(fixture.spool.statistics.bytes == 9 * Self.recordBytes)
    #expect(fixture.spool.statistics.quarantined == 1)
    #expect(fixture.spool.statistics.full == false)
    try await fixture.spoolRecords(1)

    let rest = try await fixture.spool.discardQuarantined(.everything)
    #expect(rest == QuarantineChange(records: 1, labels: 0, bytes: Self.recordBytes))
    #expect(try await fixture.spool.quarantinedRecords().isEmpty)
    #expect(fixture.spool.statistics.quarantined == 0)
    #expect(fixture.spool.statistics.bytes == 9 * Self.recordBytes)
    #expect(fixture.spool.statistics.records == 9)
    await fixture.stop()
  }

  @Test("unknown seqs and ids change nothing")
  func unknownEntriesAreNotFound() async throws {
    let fixture = try await quarantineThreeAndFour()
    let selection = QuarantineSelection(seqs: [3, 99, 99], labelIDs: [5])
    for command in ["resend", "discard"] {
      let error = await #expect(throws: ServiceError.self) {
        if command == "resend" {
          _ = try await fixture.spool.resendQuarantined(selection)
        } else {
          _ = try await fixture.spool.discardQuarantined(selection)
        }
      }
      #expect(error?.code == .notFound)
      #expect(error?.message.contains("no quarantined record has seq 99 and") == true)
      #expect(error?.message.contains("no quarantined label has id 5") == true)
    }
    #expect(try await fixture.spool.quarantinedRecords().map(\.record.seq) == [3, 4])
    #expect(fixture.spool.statistics.quarantined == 2)
    #expect(fixture.spool.statistics.records == 0)
    #expect(fixture.spool.statistics.bytes == 2 * Self.recordBytes)
    await fixture.stop()
  }

  @Test(
    "invalid selections are INVALID_ARGUMENT",
    arguments: [
      QuarantineSelection(),
      QuarantineSelection(all: true, seqs: [3]),
      QuarantineSelection(seqs: [0]),
      QuarantineSelection(seqs: [UInt64(Int64.max) + 1]),
      QuarantineSelection(labelIDs: [-1]),
      QuarantineSelection(seqs: Array(1...10_001)),
    ])
  func invalidSelections(selection: QuarantineSelection) async throws {
    let fixture = try await ForwarderFixture(batchRecords: 8, window: 2)
    let resend = await #expect(throws: ServiceError.self) {
      _ = try await fixture.spool.resendQuarantined(selection)
    }
    #expect(resend?.code == .invalidArgument)
    let discard = await #expect(throws: ServiceError.self) {
      _ = try await fixture.spool.discardQuarantined(selection)
    }
    #expect(discard?.code == .invalidArgument)
    await fixture.stop()
  }

  @Test("repeated seqs count once")
  func repeatedSeqsCountOnce() async throws {
    let fixture = try await quarantineThreeAndFour()
    let repeated = QuarantineSelection(seqs: Array(repeating: 3, count: 10_001) + [4])
    let change = try await fixture.spool.discardQuarantined(repeated)
    #expect(change == QuarantineChange(records: 2, labels: 0, bytes: 2 * Self.recordBytes))
    #expect(try await fixture.spool.quarantinedRecords().isEmpty)
    await fixture.stop()
  }

  @Test("rejected labels are listed, resent and forwarded")
  func labelsResendKeepsIdentity() async throws {
    let fixture = try await ForwarderFixture(batchRecords: 8, window: 2)
    fixture.telemetry.state.withLock {
      $0.invalidSeqs = [1, 2, 3]
      $0.invalidLabelSeqs = [4, 5, 6]
    }
    try await fixture.spoolRecords(4)
    let epoch = fixture.spool.epoch
    _ = try await fixture.spool.appendLabels(
      [4, 5, 6].map { SpoolLabel(epoch: epoch, seq: $0, label: 1) })
    await forwardAll(fixture)
    #expect(fixture.spool.statistics.quarantined == 6)

    var pages: [QuarantinePage] = []
    var position: QuarantinePosition? = .start
    while let next = position {
      let page = try await fixture.spool.quarantinedPage(after: next, limit: 2)
      pages.append(page)
      position = page.next
    }
    #expect(pages.map { $0.records.map(\.record.seq) } == [[1, 2], [3], [], []])
    #expect(pages.map { $0.labels.map(\.label.seq) } == [[], [4], [5, 6], []])
    let labels = try await fixture.spool.quarantinedLabels()
    #expect(labels.allSatisfy { $0.message == "label for seq \($0.label.seq): no such record" })
    #expect(labels.allSatisfy { $0.quarantinedMs > 0 })

    fixture.telemetry.state.withLock { $0.invalidLabelSeqs = [] }
    let ids = labels.map(\.label.id)
    let change = try await fixture.spool.resendQuarantined(QuarantineSelection(labelIDs: ids))
    #expect(change == QuarantineChange(records: 0, labels: 3, bytes: 0))
    #expect(fixture.spool.statistics.labels == 3)
    let pending = try await fixture.spool.pending(afterSeq: 0, afterLabelID: 0, limit: 10)
    #expect(pending.labels.map(\.id) == ids)
    await forwardAll(fixture)
    let forwarded = fixture.telemetry.state.withLock { $0.labels.map(\.seq) }
    #expect(forwarded.sorted() == [4, 5, 6])
    #expect(fixture.spool.statistics.quarantined == 3)
    await fixture.stop()
  }

  @Test("resent label goes out on an open stream")
  func resentLabelOnOpenStream() async throws {
    let fixture = try await ForwarderFixture(batchRecords: 8, window: 2)
    fixture.telemetry.state.withLock { $0.invalidLabelSeqs = [2] }
    try await fixture.spoolRecords(4)
    let epoch = fixture.spool.epoch
    _ = try await fixture.spool.appendLabels(
      [2, 3].map { SpoolLabel(epoch: epoch, seq: $0, label: 1) })
    let running = Task { await fixture.forwarder.run() }
    #expect(await eventually { fixture.spool.statistics.quarantined == 1 })
    #expect(await eventually { fixture.spool.statistics.labels == 0 })
    #expect(fixture.telemetry.state.withLock { $0.labels.map(\.seq) } == [3])

    fixture.telemetry.state.withLock { $0.invalidLabelSeqs = [] }
    let change = try await fixture.spool.resendQuarantined(.everything)
    #expect(change == QuarantineChange(records: 0, labels: 1, bytes: 0))
    #expect(await eventually { fixture.telemetry.state.withLock { $0.labels.count } == 2 })
    #expect(await eventually { fixture.spool.statistics.bytes == 0 })
    running.cancel()
    await running.value

    #expect(fixture.telemetry.state.withLock { $0.labels.map(\.seq) } == [3, 2])
    #expect(fixture.spool.statistics.quarantined == 0)
    #expect(fixture.spool.statistics.labels == 0)
    #expect(fixture.forwarder.counters.streams == 1)
    await fixture.stop()
  }

  @Test("acknowledged batch keeps a resent record")
  func removeKeepsResentRecord() async throws {
    let fixture = try await ForwarderFixture(batchRecords: 8, window: 2)
    try await fixture.spoolRecords(8)
    try await quarantine(seq: 3, in: fixture.spool)
    let batch = try await fixture.spool.pending(afterSeq: 0, afterLabelID: 0, limit: 8)
    #expect(batch.records.map(\.seq) == [1, 2, 4, 5, 6, 7, 8])

    // Seq 3 lies between the batch's first and last seqs but was not sent with it.
    _ = try await fixture.spool.resendQuarantined(QuarantineSelection(seqs: [3]))
    try await fixture.spool.remove(batch)
    let pending = try await fixture.spool.pending(afterSeq: 0, afterLabelID: 0, limit: 8)
    #expect(pending.records.map(\.seq) == [3])
    #expect(fixture.spool.statistics.records == 1)
    #expect(fixture.spool.statistics.bytes == Self.recordBytes)
    await fixture.stop()
  }

  @Test(
    "runs of consecutive keys",
    arguments: [
      ([], []),
      ([5], [[5, 5]]),
      ([1, 2, 3], [[1, 3]]),
      ([1, 2, 4, 5, 6, 9], [[1, 2], [4, 6], [9, 9]]),
    ] as [([Int64], [[Int64]])])
  func runsOfKeys(keys: [Int64], expected: [[Int64]]) {
    #expect(Spool.runs(keys).map { [$0.first, $0.last] } == expected)
  }

  @Test("resend during a batch in flight sends each record once")
  func resendDuringBatchInFlight() async throws {
    let fixture = try await ForwarderFixture(batchRecords: 8, window: 4)
    try await fixture.spoolRecords(8)
    try await quarantine(seq: 3, in: fixture.spool)
    fixture.telemetry.state.withLock { $0.holdAcknowledgements = true }
    let running = Task { await fixture.forwarder.run() }
    #expect(await eventually { fixture.telemetry.state.withLock { $0.received } == 1 })

    _ = try await fixture.spool.resendQuarantined(.everything)
    #expect(await eventually { fixture.telemetry.state.withLock { $0.received } == 2 })
    fixture.telemetry.state.withLock { $0.holdAcknowledgements = false }
    #expect(await eventually { fixture.spool.statistics.records == 0 })
    running.cancel()
    await running.value

    #expect(fixture.telemetry.recordCount == 8)
    #expect(fixture.telemetry.state.withLock { $0.duplicates } == 0)
    #expect(fixture.telemetry.state.withLock { $0.batches } == 2)
    #expect(fixture.spool.statistics.bytes == 0)
    await fixture.stop()
  }

  @Test("restart keeps quarantine and its counts")
  func restartKeepsCounts() async throws {
    let fixture = try await quarantineThreeAndFour()
    _ = try await fixture.spool.resendQuarantined(QuarantineSelection(seqs: [3]))
    _ = try await fixture.spool.discardQuarantined(QuarantineSelection(seqs: [4]))
    let before = fixture.spool.statistics

    let reopened = try await Spool.open(store: fixture.store, maximumBytes: 1 << 24)
    #expect(reopened.statistics == before)
    #expect(reopened.statistics.records == 1)
    #expect(reopened.statistics.quarantined == 0)
    #expect(reopened.statistics.bytes == Self.recordBytes)
    let pending = try await reopened.pending(afterSeq: 0, afterLabelID: 0, limit: 10)
    #expect(pending.records.map(\.seq) == [3])
    await fixture.stop()
  }
}
