import EdgecatCore
import EdgecatProto
import EdgecatStore

extension TelemetryEngine {
  /// gRPC status codes that acknowledgements carry.
  enum AckCode {
    static let invalidArgument: Int32 = 3
    static let resourceExhausted: Int32 = 8
  }

  /// Validates and stores a batch of records and label updates, with `audit` when given, and
  /// returns its acknowledgement after the durable commit. `byteCount` is the batch's encoded
  /// size and `regions` maps device ids to their inventory region. A batch over the limits or
  /// with an invalid entry is rejected in the acknowledgement and stores nothing; a store
  /// failure throws INTERNAL.
  public func ingest(
    _ batch: Edgecat_Telemetry_V1_IngestBatch, byteCount: Int, regions: [String: String],
    audit: AuditRecord? = nil
  ) async throws(ServiceError) -> IngestResult {
    try await submitIngest(batch, byteCount: byteCount, regions: regions, audit: audit).result()
  }

  /// Validates `batch` on the calling thread and queues its write without waiting for the
  /// commit, as `ingest` does. Batches submitted one after another are written in that order,
  /// so a stream can prepare its next batch while earlier ones commit. A rejected batch
  /// queues nothing, and its pending result returns the rejection.
  public func submitIngest(
    _ batch: Edgecat_Telemetry_V1_IngestBatch, byteCount: Int, regions: [String: String],
    audit: AuditRecord? = nil
  ) -> PendingIngest {
    var ack = Edgecat_Telemetry_V1_IngestAck()
    ack.batchID = batch.batchID
    if let message = limitViolation(batch, byteCount: byteCount) {
      ack.code = AckCode.resourceExhausted
      ack.message = message
      logger.debug("ingest batch over the limit", ["batch.id": batch.batchID, "bytes": byteCount])
      return PendingIngest(rejection: ack)
    }
    let prepared: PreparedIngest
    do {
      prepared = try PreparedIngest(
        batch, regions: regions, receivedAt: clock(),
        futureClockSeconds: settings.futureClockSeconds, audit: audit)
    } catch {
      ack.code = AckCode.invalidArgument
      ack.message = "batch \(batch.batchID) rejected, nothing stored: \(error.message)"
      logger.debug("ingest batch invalid", ["batch.id": batch.batchID, "error": error.message])
      return PendingIngest(rejection: ack)
    }
    ack.futureClock = prepared.futureClockCount
    let write = store.submit { db in try BatchWriter.write(prepared, into: db) }
    return PendingIngest(engine: self, ack: ack, write: write)
  }

  /// Returns the acknowledgement of a committed batch and reports writers new since open.
  func acknowledge(_ counts: BatchCounts, ack template: Edgecat_Telemetry_V1_IngestAck)
    -> IngestResult
  {
    var ack = template
    ack.stored = counts.stored
    ack.duplicates = counts.duplicates
    ack.conflicts = counts.conflicts
    ack.labelsApplied = counts.labels.applied
    ack.labelsUnmatched = counts.labels.unmatched
    let fresh = knownWriters.withLock { known in
      counts.writers.filter { known.insert($0).inserted }
    }
    return IngestResult(
      ack: ack, newWriters: fresh.map { (device: $0.device, model: $0.model, version: $0.version) })
  }

  /// Sets the labels of earlier records, with `audit` when given. Repeating an update changes
  /// nothing. An invalid update is INVALID_ARGUMENT and nothing is applied.
  public func updateLabels(
    _ labels: [Edgecat_Telemetry_V1_LabelUpdate], audit: AuditRecord? = nil
  ) async throws(ServiceError) -> Edgecat_Telemetry_V1_UpdateLabelsResponse {
    guard labels.count <= settings.maxBatchRecords else {
      throw .resourceExhausted(
        "\(labels.count) label updates exceed the limit of \(settings.maxBatchRecords) per"
          + " request; split them into smaller requests")
    }
    for (index, update) in labels.enumerated() {
      try IngestValidation.check(update, at: index)
    }
    let counts: LabelCounts
    do {
      counts = try await store.write { db in
        if let audit { try AuditTrail.insert(audit, into: db) }
        return try LabelWriter.apply(labels, in: db)
      }
    } catch {
      throw storageError(error, "updating \(labels.count) labels")
    }
    var response = Edgecat_Telemetry_V1_UpdateLabelsResponse()
    response.applied = counts.applied
    response.unmatched = counts.unmatched
    return response
  }

  /// Returns the message of a batch over the record or byte limit, or nil for a batch within them.
  private func limitViolation(_ batch: Edgecat_Telemetry_V1_IngestBatch, byteCount: Int) -> String?
  {
    let limit = settings.maxBatchRecords
    if batch.records.count > limit || batch.labels.count > limit {
      return "batch \(batch.batchID) has \(batch.records.count) records and"
        + " \(batch.labels.count) label updates, over the limit of \(limit) of each; split it"
        + " into smaller batches and resend them"
    }
    if byteCount > settings.maxBatchBytes {
      return "batch \(batch.batchID) is \(byteCount) bytes encoded, over the limit of"
        + " \(settings.maxBatchBytes) bytes; split it into smaller batches and resend them"
    }
    return nil
  }
}
