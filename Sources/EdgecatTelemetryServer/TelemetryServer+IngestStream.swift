import EdgecatCore
import EdgecatRPC
import EdgecatTelemetry

/// Counts of one StreamInferenceLogs call's acknowledgements, for its audit event and log.
struct IngestStreamTotals {
  var batches = 0
  var stored: Int64 = 0
}

/// A batch read from a stream: rejected before it reached the engine, or submitted to it.
enum AdmittedBatch: Sendable {
  case rejected(IngestAck)
  case submitted(PendingIngest, records: Int)
}

extension TelemetryServer {
  /// Serves one ingest stream as a pipeline. One task reads, decodes, authorizes and validates
  /// batches and submits them to the engine in arrival order, up to `settings.ingestWindow`
  /// at once, while this task awaits each commit in that order and sends its acknowledgement.
  /// An error that ends the stream is thrown after the batches read before it are
  /// acknowledged.
  func serveIngestStream(
    _ messages: MessageStream, _ writer: ResponseWriter, _ caller: Caller,
    _ context: ServerContext, totals: inout IngestStreamTotals
  ) async throws {
    let window = max(1, settings.ingestWindow)
    let (admitted, admit) = AsyncStream.makeStream(of: AdmittedBatch.self)
    // One element per acknowledgement sent, so the reader knows a slot is free.
    let (freed, free) = AsyncStream.makeStream(of: Void.self)
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask {
        defer { admit.finish() }
        var slots = freed.makeAsyncIterator()
        var unacknowledged = 0
        for try await bytes in messages {
          while unacknowledged >= window {
            guard await slots.next() != nil else { return }
            unacknowledged -= 1
          }
          admit.yield(try await self.admit(bytes, caller, context))
          unacknowledged += 1
        }
      }
      for await batch in admitted {
        let ack = await acknowledgement(batch, caller)
        try await writer.write(ack.serializedBytes())
        free.yield(())
        totals.batches += 1
        totals.stored += ack.stored
      }
      try await group.waitForAll()
    }
  }

  /// Decodes one batch, checks the caller may write it and submits it to the engine, which
  /// queues its write behind the stream's earlier batches. A batch that cannot be stored is
  /// rejected, and the stream goes on. An undecodable message ends the stream with
  /// INVALID_ARGUMENT, a revoked or expired token with UNAUTHENTICATED, and a caller that lost
  /// MODIFY with PERMISSION_DENIED.
  private func admit(_ bytes: [UInt8], _ caller: Caller, _ context: ServerContext)
    async throws(RPCError) -> AdmittedBatch
  {
    let batch: IngestBatch
    do {
      batch = try IngestBatch(serializedBytes: bytes)
    } catch {
      throw RPCError(.invalidArgument, "invalid edgecat.telemetry.v1.IngestBatch: \(error.message)")
    }

    // Revoking a grant or the token takes effect at the next batch read. Both results come
    // from the policy client's cache, which a revoke empties and which drops a token at its
    // expiry. Batches read before it are stored.
    _ = try await authenticator.identify(context)
    try await authorizeTable(caller, "MODIFY")
    if let rejection = ownershipRejection(batch, caller) {
      return .rejected(rejected(batch, caller, rejection.code, rejection.message))
    }
    let regions: [String: String]
    switch await deviceRegions(batch, caller) {
    case .success(let found):
      regions = found
    case .failure(let error):
      return .rejected(rejected(batch, caller, error.code, error.message))
    }
    let pending = engine.submitIngest(batch, byteCount: bytes.count, regions: regions)
    return .submitted(pending, records: batch.records.count)
  }

  /// Waits for a submitted batch's durable commit and returns its acknowledgement, which
  /// rejects the batch when the engine did or the store failed.
  private func acknowledgement(_ batch: AdmittedBatch, _ caller: Caller) async -> IngestAck {
    switch batch {
    case .rejected(let ack):
      return ack
    case .submitted(let pending, let records):
      let result: IngestResult
      do {
        result = try await pending.result()
      } catch {
        var ack = IngestAck()
        ack.batchID = pending.batchID
        ack.code = Int32(error.rpcError.code.rawValue)
        ack.message = error.message
        logRejection(ack, records: records, caller)
        return ack
      }
      if !result.newWriters.isEmpty {
        let writers = result.newWriters
        Task { await lineage.record(writers) }
      }
      if result.ack.code != 0 {
        logRejection(result.ack, records: records, caller)
      }
      return result.ack
    }
  }
}
