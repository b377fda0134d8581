import EdgecatProto
import EdgecatRPC
import Synchronization

typealias IngestBatch = Edgecat_Telemetry_V1_IngestBatch
typealias IngestAck = Edgecat_Telemetry_V1_IngestAck

/// A stand-in for edgecat-telemetry's ingest and heartbeats. It keeps records by
/// (device_id, epoch, seq) in memory, rejects batches over `maximumEntries` as
/// RESOURCE_EXHAUSTED, rejects batches containing a record with a seq of `invalidSeqs` or a label
/// with a seq of `invalidLabelSeqs` as INVALID_ARGUMENT, and acknowledges the next batches with
/// the codes in `rejections`.
final class FakeTelemetry: RPCService, Sendable {
  let serviceName = "edgecat.telemetry.v1.TelemetryService"

  struct State {
    var records: [String: Edgecat_Telemetry_V1_InferenceLogRecord] = [:]
    var labels: [Edgecat_Telemetry_V1_LabelUpdate] = []
    var duplicates = 0
    var batches = 0
    var streams = 0
    /// Batches read from the streams, acknowledged or not.
    var received = 0
    var holdAcknowledgements = false
    var maximumEntries = Int.max
    var rejections: [Int32] = []
    var invalidSeqs: Set<UInt64> = []
    var invalidLabelSeqs: Set<UInt64> = []
    var heartbeats: [Edgecat_Telemetry_V1_HeartbeatRequest] = []
  }

  let state = Mutex(State())

  var methods: [RPCMethod] {
    [
      .bidirectionalStreaming("/edgecat.telemetry.v1.TelemetryService/StreamInferenceLogs") {
        (requests: RequestStream<IngestBatch>, writer: ResponseStreamWriter<IngestAck>, _) in
        self.state.withLock { $0.streams += 1 }
        // Acknowledgements go out from a task of their own, so that `holdAcknowledgements`
        // can delay them while batches keep arriving.
        let unacknowledged = Mutex<[IngestBatch]>([])
        let acknowledging = Task {
          while !Task.isCancelled {
            let ready: [IngestBatch] =
              self.state.withLock { $0.holdAcknowledgements }
              ? []
              : unacknowledged.withLock { batches in
                defer { batches = [] }
                return batches
              }
            for batch in ready { try await writer.write(self.acknowledge(batch)) }
            try await Task.sleep(for: .milliseconds(2))
          }
        }
        defer { acknowledging.cancel() }
        for try await batch in requests {
          self.state.withLock { $0.received += 1 }
          unacknowledged.withLock { $0.append(batch) }
        }
      },
      .unary("/edgecat.telemetry.v1.TelemetryService/Heartbeat") {
        (request: Edgecat_Telemetry_V1_HeartbeatRequest, _) in
        self.state.withLock { $0.heartbeats.append(request) }
        var response = Edgecat_Telemetry_V1_HeartbeatResponse()
        response.receivedAtMs = 1
        return response
      },
    ]
  }

  private func acknowledge(_ batch: IngestBatch) -> IngestAck {
    var ack = IngestAck()
    ack.batchID = batch.batchID
    state.withLock { state in
      state.batches += 1
      if batch.records.count + batch.labels.count > state.maximumEntries {
        ack.code = 8
        ack.message = "the batch has more than \(state.maximumEntries) entries; split it"
        return
      }
      if let bad = batch.records.first(where: { state.invalidSeqs.contains($0.seq) }) {
        ack.code = 3
        ack.message = "record seq \(bad.seq): confidence 7.0 is out of range"
        return
      }
      if let bad = batch.labels.first(where: { state.invalidLabelSeqs.contains($0.seq) }) {
        ack.code = 3
        ack.message = "label for seq \(bad.seq): no such record"
        return
      }
      if !state.rejections.isEmpty {
        ack.code = state.rejections.removeFirst()
        ack.message = "rejected by the test"
        return
      }
      for record in batch.records {
        let key = "\(record.deviceID)/\(record.epoch)/\(record.seq)"
        if state.records[key] == nil {
          state.records[key] = record
          ack.stored += 1
        } else {
          state.duplicates += 1
          ack.duplicates += 1
        }
      }
      state.labels += batch.labels
      ack.labelsApplied = Int64(batch.labels.count)
    }
    return ack
  }

  var recordCount: Int { state.withLock { $0.records.count } }
}
