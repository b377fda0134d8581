import EdgecatAgent
import EdgecatCore
import EdgecatStore
import EdgecatTestSupport
import Testing

@Suite("Spool")
struct SpoolTests {
  static func record(_ prediction: Double, hash: String = "ab") -> SpoolRecord {
    SpoolRecord(
      timestampMs: 1_700_000_000_000, modelFullName: "main.ml.defects", modelVersion: 3,
      prediction: prediction, confidence: 0.9, latencyMs: 4.5, inputHash: hash)
  }

  @Test("stores, reads and deletes records")
  func storeFetchDelete() async throws {
    let folder = TemporaryDirectory()
    defer { folder.remove() }
    let store = try await AgentDatabase.open(dataDirectory: folder.path)
    defer { store.close() }
    let spool = try await Spool.open(store: store, maximumBytes: 1 << 20)

    let stored = try await spool.append((0..<5).map { Self.record(Double($0)) })
    #expect(stored.map(\.seq) == [1, 2, 3, 4, 5])
    _ = try await spool.appendLabels([SpoolLabel(epoch: spool.epoch, seq: 2, label: 1)])
    #expect(spool.statistics.records == 5)
    #expect(spool.statistics.labels == 1)

    let first = try await spool.pending(afterSeq: 0, afterLabelID: 0, limit: 3)
    #expect(first.records.map(\.seq) == [1, 2, 3])
    #expect(first.labels.isEmpty)
    #expect(first.records[0] == stored[0])
    let rest = try await spool.pending(afterSeq: 3, afterLabelID: 0, limit: 10)
    #expect(rest.records.map(\.seq) == [4, 5])
    #expect(rest.labels.map(\.seq) == [2])

    try await spool.remove(first)
    let left = try await spool.pending(afterSeq: 0, afterLabelID: 0, limit: 10)
    #expect(left.records.map(\.seq) == [4, 5])
    #expect(spool.statistics.records == 2)
    try await spool.remove(rest)
    #expect(spool.statistics == SpoolStatistics(bytes: 0, records: 0, labels: 0, full: false))
  }

  @Test("epoch survives a reopen and seqs keep rising")
  func epochAndSeqAcrossReopen() async throws {
    let folder = TemporaryDirectory()
    defer { folder.remove() }
    var store = try await AgentDatabase.open(dataDirectory: folder.path)
    var spool = try await Spool.open(store: store, maximumBytes: 1 << 20)
    let epoch = spool.epoch
    let before = try await spool.append([Self.record(1), Self.record(2)])
    try await spool.remove(try await spool.pending(afterSeq: 0, afterLabelID: 0, limit: 10))
    store.close()

    store = try await AgentDatabase.open(dataDirectory: folder.path)
    defer { store.close() }
    spool = try await Spool.open(store: store, maximumBytes: 1 << 20)
    let after = try await spool.append([Self.record(3)])
    #expect(spool.epoch == epoch)
    #expect(epoch.count == 32)
    #expect(before.map(\.seq) == [1, 2])
    #expect(after.map(\.seq) == [3])
  }

  @Test("a new spool gets a new epoch")
  func newEpoch() async throws {
    let first = TemporaryDirectory()
    let second = TemporaryDirectory()
    defer {
      first.remove()
      second.remove()
    }
    let storeA = try await AgentDatabase.open(dataDirectory: first.path)
    defer { storeA.close() }
    let storeB = try await AgentDatabase.open(dataDirectory: second.path)
    defer { storeB.close() }
    let spoolA = try await Spool.open(store: storeA, maximumBytes: 1 << 20)
    let spoolB = try await Spool.open(store: storeB, maximumBytes: 1 << 20)
    #expect(spoolA.epoch != spoolB.epoch)
  }

  @Test("cap rejects a batch whole with RESOURCE_EXHAUSTED")
  func capRejects() async throws {
    let folder = TemporaryDirectory()
    defer { folder.remove() }
    let store = try await AgentDatabase.open(dataDirectory: folder.path)
    defer { store.close() }
    // Each record counts 64 bytes plus its strings: 64 + 15 + 2 = 81.
    let spool = try await Spool.open(store: store, maximumBytes: 81 * 3)
    _ = try await spool.append([Self.record(1), Self.record(2)])

    await #expect {
      _ = try await spool.append([Self.record(3), Self.record(4)])
    } throws: { error in
      let error = error as? ServiceError
      return error?.code == .resourceExhausted && error?.message.contains("spool is full") == true
    }
    #expect(spool.statistics.records == 2)
    #expect(spool.statistics.full)
    let pending = try await spool.pending(afterSeq: 0, afterLabelID: 0, limit: 10)
    #expect(pending.records.map(\.seq) == [1, 2])

    // A batch that fits is stored, with the next seq, and clears the full mark.
    let stored = try await spool.append([Self.record(5)])
    #expect(stored.map(\.seq) == [3])
    #expect(!spool.statistics.full)
  }

  @Test("batch over the whole cap says to split it")
  func batchOverCap() async throws {
    let folder = TemporaryDirectory()
    defer { folder.remove() }
    let store = try await AgentDatabase.open(dataDirectory: folder.path)
    defer { store.close() }
    // Each record counts 81 bytes, so four records exceed the cap of an empty spool.
    let spool = try await Spool.open(store: store, maximumBytes: 81 * 3)
    var failure: (any Error)?
    do {
      _ = try await spool.append((1...4).map { Self.record(Double($0)) })
    } catch {
      failure = error
    }

    let serviceError = failure as? ServiceError
    #expect(serviceError?.code == .resourceExhausted)
    let message = serviceError?.message ?? ""
    #expect(message.contains("324 bytes"), "\(message)")
    #expect(message.contains("split"), "\(message)")
    #expect(!message.contains("retry once the agent has forwarded"), "\(message)")
    #expect(spool.statistics.records == 0)
    // The spool itself has room, so the heartbeat must not report it full.
    #expect(!spool.statistics.full)
  }

  @Test("labels count against the cap")
  func labelsCount() async throws {
    let folder = TemporaryDirectory()
    defer { folder.remove() }
    let store = try await AgentDatabase.open(dataDirectory: folder.path)
    defer { store.close() }
    let spool = try await Spool.open(store: store, maximumBytes: 100)
    let label = SpoolLabel(epoch: spool.epoch, seq: 1, label: 0)
    #expect(try await spool.appendLabels([label]) == 1)
    await #expect {
      _ = try await spool.appendLabels([label])
    } throws: { error in
      (error as? ServiceError)?.code == .resourceExhausted
    }
    #expect(spool.statistics.labels == 1)
    #expect(spool.statistics.bytes == 64)
  }
}
