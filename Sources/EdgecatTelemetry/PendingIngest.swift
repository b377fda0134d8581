import EdgecatCore
import EdgecatProto
import EdgecatStore

/// A batch passed to `TelemetryEngine.submitIngest`: either rejected at once or queued for
/// its commit. One task awaits its result.
public struct PendingIngest: Sendable {
  private enum Stage: Sendable {
    case rejected(Edgecat_Telemetry_V1_IngestAck)
    case writing(TelemetryEngine, Edgecat_Telemetry_V1_IngestAck, PendingWrite<BatchCounts>)
  }

  private let stage: Stage

  init(rejection: Edgecat_Telemetry_V1_IngestAck) {
    stage = .rejected(rejection)
  }

  init(
    engine: TelemetryEngine, ack: Edgecat_Telemetry_V1_IngestAck, write: PendingWrite<BatchCounts>
  ) {
    stage = .writing(engine, ack, write)
  }

  /// The batch id that the acknowledgement carries.
  public var batchID: UInt64 {
    switch stage {
    case .rejected(let ack), .writing(_, let ack, _): ack.batchID
    }
  }

  /// Waits for the durable commit and returns the acknowledgement, or returns the rejection.
  /// A store failure throws INTERNAL and nothing of the batch is stored.
  public func result() async throws(ServiceError) -> IngestResult {
    switch stage {
    case .rejected(let ack):
      return IngestResult(ack: ack, newWriters: [])
    case .writing(let engine, let ack, let write):
      let counts: BatchCounts
      do {
        counts = try await write.value()
      } catch {
        throw engine.storageError(error, "storing inference log batch \(ack.batchID)")
      }
      return engine.acknowledge(counts, ack: ack)
    }
  }
}
