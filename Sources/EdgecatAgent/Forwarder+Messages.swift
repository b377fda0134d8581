import EdgecatProto

extension Forwarder {
  /// Builds the IngestBatch message of a batch in flight.
  func message(_ entry: ForwardingWindow.InFlight) -> Edgecat_Telemetry_V1_IngestBatch {
    var batch = Edgecat_Telemetry_V1_IngestBatch()
    batch.batchID = entry.batchID
    batch.records = entry.batch.records.map { record in
      var message = Edgecat_Telemetry_V1_InferenceLogRecord()
      message.deviceID = uplink.deviceID
      message.epoch = spool.epoch
      message.seq = record.seq
      message.timestampMs = record.timestampMs
      message.modelFullName = record.modelFullName
      message.modelVersion = record.modelVersion
      message.prediction = record.prediction
      if let confidence = record.confidence { message.confidence = confidence }
      message.latencyMs = record.latencyMs
      message.inputHash = record.inputHash
      if let label = record.label { message.label = label }
      return message
    }
    batch.labels = entry.batch.labels.map { label in
      var message = Edgecat_Telemetry_V1_LabelUpdate()
      message.deviceID = uplink.deviceID
      message.epoch = label.epoch
      message.seq = label.seq
      message.label = label.label
      return message
    }
    return batch
  }
}
