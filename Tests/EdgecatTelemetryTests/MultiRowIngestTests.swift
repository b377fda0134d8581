import EdgecatCore
import EdgecatProto
import EdgecatStore
import EdgecatTelemetry
import Testing

/// Batches are inserted with statements of up to 512 rows, so these batches mix stored,
/// resent and changed records inside one statement.
@Suite("Telemetry multi-row ingest")
struct MultiRowIngestTests {
  typealias Fixture = TelemetryEngineFixture

  @Test("resent records inside a large batch")
  func resentInsideBatch() async throws {
    let fixture = try await Fixture.start()
    defer { Task { await fixture.stop() } }
    let at = Fixture.day0 + 60
    let earlier = stride(from: 0, to: 1000, by: 10).map { Fixture.record(seq: UInt64($0), at: at) }
    _ = try await fixture.ingest(earlier)
    let batch = (0..<1000).map { seq in
      // Every 20th record was stored with other content, so it is a conflict.
      Fixture.record(seq: UInt64(seq), at: at, confidence: seq % 20 == 0 ? 0.5 : 0.9)
    }
    let result = try await fixture.ingest(batch, batchID: 2)

    #expect(result.ack.stored == 900)
    #expect(result.ack.duplicates == 50)
    #expect(result.ack.conflicts == 50)
    #expect(try await fixture.rawCount() == 1000)
    let metrics = try await fixture.engine.metrics(
      start: Fixture.day0, end: Fixture.day0 + 86_400, filter: MetricsFilter())
    #expect(metrics.first?.count == 1000)
    let partitions = try await PipelinedIngestTests.partitions(fixture)
    #expect(partitions == ["2030-01-07 1-1000"])
  }

  @Test("same identity twice in a batch")
  func repeatedIdentity() async throws {
    let fixture = try await Fixture.start()
    defer { Task { await fixture.stop() } }
    let at = Fixture.day0 + 60
    let records = [
      Fixture.record(seq: 1, at: at), Fixture.record(seq: 1, at: at),
      Fixture.record(seq: 2, at: at), Fixture.record(seq: 2, at: at, latency: 99),
      Fixture.record(seq: 3, at: at),
    ]
    let result = try await fixture.ingest(records)

    #expect(result.ack.stored == 3)
    #expect(result.ack.duplicates == 1)
    #expect(result.ack.conflicts == 1)
    let latency = try await fixture.engine.store.read { db in
      try db.queryOne("SELECT latency_ms FROM inference_logs WHERE seq = 2")?[0]
    }
    #expect(latency == .real(12.5))
    let metrics = try await fixture.engine.metrics(
      start: Fixture.day0, end: Fixture.day0 + 86_400, filter: MetricsFilter())
    #expect(metrics.first?.count == 3)
  }

  @Test("whole batch resent stores nothing")
  func wholeBatchResent() async throws {
    let fixture = try await Fixture.start()
    defer { Task { await fixture.stop() } }
    let records = (0..<700).map { Fixture.record(seq: UInt64($0), at: Fixture.day0) }
    let first = try await fixture.ingest(records)
    let again = try await fixture.ingest(records, batchID: 2)

    #expect(first.ack.stored == 700)
    #expect(again.ack.stored == 0)
    #expect(again.ack.duplicates == 700)
    #expect(try await PipelinedIngestTests.partitions(fixture) == ["2030-01-07 1-700"])
  }
}
