import EdgecatCore
import EdgecatProto
import EdgecatRPC

extension AgentService {
  /// Validates the records, attributes them to the running model and stores them.
  func logInference(_ request: Edgecat_Agent_V1_LogInferenceRequest) async throws(RPCError)
    -> Edgecat_Agent_V1_LogInferenceResponse
  {
    guard request.records.count <= Self.maximumRecordsPerCall else {
      throw RPCError(
        .invalidArgument,
        "the call carries \(request.records.count) records; send at most"
          + " \(Self.maximumRecordsPerCall) per LogInference call")
    }
    let model = try attributedModel(request.modelFullName)
    let now = wallClockMilliseconds()
    var records: [SpoolRecord] = []
    records.reserveCapacity(request.records.count)
    for (index, record) in request.records.enumerated() {
      let timestampMs = record.timestampMs == 0 ? now : record.timestampMs
      try validate(record, index, timestampMs: timestampMs)
      records.append(
        SpoolRecord(
          timestampMs: timestampMs,
          modelFullName: model.modelFullName, modelVersion: model.version,
          prediction: record.prediction,
          confidence: record.confidenceValue.map { value in
            if case .confidence(let confidence) = value { return confidence }
            return 0
          }, latencyMs: record.latencyMs, inputHash: record.inputHash,
          label: record.labelValue.map { value in
            if case .label(let label) = value { return label }
            return 0
          }))
    }
    let stored = try await mappedAsync { () async throws(ServiceError) in
      try await spool.append(records)
    }
    var response = Edgecat_Agent_V1_LogInferenceResponse()
    response.acks = stored.map { record in
      var ack = Edgecat_Agent_V1_InferenceAck()
      ack.epoch = spool.epoch
      ack.seq = record.seq
      ack.modelFullName = record.modelFullName
      ack.modelVersion = record.modelVersion
      return ack
    }
    return response
  }

  /// Validates the labels and stores them.
  func logLabels(_ request: Edgecat_Agent_V1_LogLabelsRequest) async throws(RPCError)
    -> Edgecat_Agent_V1_LogLabelsResponse
  {
    var labels: [SpoolLabel] = []
    for (index, label) in request.labels.enumerated() {
      guard Self.isEpoch(label.epoch) else {
        throw RPCError(
          .invalidArgument,
          "labels[\(index)].epoch \"\(label.epoch.prefix(80))\" is invalid; use the epoch"
            + " LogInference returned, 32 lower-case hex digits")
      }
      guard label.seq > 0, label.seq <= UInt64(Int64.max) else {
        throw RPCError(
          .invalidArgument,
          "labels[\(index)].seq \(label.seq) is out of range; use the seq LogInference"
            + " returned, from 1 to \(Int64.max)")
      }
      if let violation = InferenceRecordRules.label(label.label) {
        throw RPCError(.invalidArgument, violation.message(prefix: "labels[\(index)]."))
      }
      labels.append(SpoolLabel(epoch: label.epoch, seq: label.seq, label: label.label))
    }
    var response = Edgecat_Agent_V1_LogLabelsResponse()
    response.stored = Int64(
      try await mappedAsync { () async throws(ServiceError) in
        try await spool.appendLabels(labels)
      })
    return response
  }

  /// Returns the running model, to which records are attributed. The request may repeat its
  /// name but not name another model.
  private func attributedModel(_ requested: String) throws(RPCError) -> InstalledModel {
    guard let running = models.runningModel else {
      throw RPCError(
        .failedPrecondition,
        "no model is running on this device yet; load the model WatchModel assigns and"
          + " confirm it with ModelLoaded before logging inferences")
    }
    guard requested.isEmpty || requested.lowercased() == running.modelFullName else {
      throw RPCError(
        .invalidArgument,
        "model_full_name \"\(requested.prefix(300))\" is not the model this device runs,"
          + " \(running.modelFullName); leave it empty or name the running model")
    }
    let violation =
      InferenceRecordRules.modelFullName(running.modelFullName)
      ?? InferenceRecordRules.modelVersion(running.version)
    if let violation {
      throw RPCError(
        .failedPrecondition,
        "telemetry would reject every record of the running model \(running.modelFullName)"
          + " version \(running.version), whose " + violation.message(prefix: ""))
    }
    return running
  }

  /// Checks a record by the rules telemetry applies at ingest, so that the spool holds only
  /// records telemetry accepts. `timestampMs` is the record's time after 0 became now.
  private func validate(
    _ record: Edgecat_Agent_V1_InferenceRecord, _ index: Int, timestampMs: Int64
  ) throws(RPCError) {
    guard record.inputHash.utf8.count <= InferenceRecordRules.maxInputHashBytes else {
      throw RPCError(
        .invalidArgument,
        "records[\(index)].input_hash has \(record.inputHash.utf8.count) bytes; send the hex"
          + " SHA-256 of the input, at most \(InferenceRecordRules.maxInputHashBytes) characters")
    }
    var confidence: Double?
    if case .confidence(let value)? = record.confidenceValue { confidence = value }
    var label: Double?
    if case .label(let value)? = record.labelValue { label = value }
    var violation = InferenceRecordRules.check(
      timestampMs: timestampMs, prediction: record.prediction, latencyMs: record.latencyMs,
      inputHash: record.inputHash, confidence: confidence, label: label)
    if violation?.field == "timestamp_ms" {
      violation?.value = "\(record.timestampMs)"
      violation?.fix += ", or 0 for now"
    }
    if let violation {
      throw RPCError(.invalidArgument, violation.message(prefix: "records[\(index)]."))
    }
  }

  /// True for 32 lower-case hex digits, the form of a spool epoch.
  static func isEpoch(_ text: String) -> Bool {
    text.utf8.count == 32
      && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
  }
}
