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
      try validate(record, index)
      records.append(
        SpoolRecord(
          timestampMs: record.timestampMs == 0 ? now : record.timestampMs,
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
      guard label.seq > 0 else {
        throw RPCError(
          .invalidArgument,
          "labels[\(index)].seq is 0; use the seq LogInference returned, 1 or more")
      }
      guard label.label.isFinite else {
        throw RPCError(.invalidArgument, "labels[\(index)].label is not a finite number")
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
    return running
  }

  private func validate(_ record: Edgecat_Agent_V1_InferenceRecord, _ index: Int)
    throws(RPCError)
  {
    guard record.timestampMs >= 0 else {
      throw RPCError(
        .invalidArgument,
        "records[\(index)].timestamp_ms \(record.timestampMs) is negative; use milliseconds"
          + " since the Unix epoch, or 0 for now")
    }
    guard record.prediction.isFinite, record.latencyMs.isFinite, record.latencyMs >= 0 else {
      throw RPCError(
        .invalidArgument,
        "records[\(index)] has a prediction or latency_ms that is not a finite number, or a"
          + " negative latency_ms")
    }
    if case .confidence(let confidence)? = record.confidenceValue, !confidence.isFinite {
      throw RPCError(.invalidArgument, "records[\(index)].confidence is not a finite number")
    }
    if case .label(let label)? = record.labelValue, !label.isFinite {
      throw RPCError(.invalidArgument, "records[\(index)].label is not a finite number")
    }
    guard record.inputHash.utf8.count <= 128 else {
      throw RPCError(
        .invalidArgument,
        "records[\(index)].input_hash has \(record.inputHash.utf8.count) bytes; send the hex"
          + " SHA-256 of the input, at most 128 characters")
    }
  }

  /// True for 32 lower-case hex digits, the form of a spool epoch.
  static func isEpoch(_ text: String) -> Bool {
    text.utf8.count == 32
      && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
  }
}
