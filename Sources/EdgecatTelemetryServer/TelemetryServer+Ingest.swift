import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit
import EdgecatTelemetry

typealias IngestBatch = Edgecat_Telemetry_V1_IngestBatch
typealias IngestAck = Edgecat_Telemetry_V1_IngestAck

extension TelemetryServer {
  var ingestMethods: [RPCMethod] {
    [
      RPCMethod(path: Self.path("StreamInferenceLogs"), shape: .bidirectionalStreaming) {
        messages, writer, context in
        let caller = try await caller(context)
        try table.requireReady()
        try await authorizeTable(caller, "MODIFY")
        logger.info(
          "ingest stream opened",
          ["principal": caller.principal, "peer": caller.peer, "request.id": caller.requestID])
        var totals = IngestStreamTotals()
        // One audit event per stream names how much it stored. It is committed before the call
        // ends with OK, and queued with the status code when the stream fails.
        func audit(_ result: String) -> AuditRecord {
          auditor.record(
            caller.identity, peer: caller.peer, "StreamInferenceLogs", table.fullName,
            [("batches", String(totals.batches)), ("stored", String(totals.stored))],
            result: result)
        }
        do {
          try await serveIngestStream(messages, writer, caller, context, totals: &totals)
        } catch {
          let code =
            (error as? RPCError)?.code ?? (error is CancellationError ? .cancelled : .unknown)
          auditor.buffer.append(audit(code.description))
          throw error
        }
        let record = audit("OK")
        try await mappedAsync { () async throws(ServiceError) in
          try await engine.recordAudit(record)
        }
        logger.info(
          "ingest stream closed",
          [
            "principal": caller.principal, "batches": totals.batches, "stored": totals.stored,
            "request.id": caller.requestID,
          ])
      },
      .unary(Self.path("UpdateLabels")) {
        (request: Edgecat_Telemetry_V1_UpdateLabelsRequest, context) in
        let caller = try await caller(context)
        try table.requireReady()
        try await authorizeTable(caller, "MODIFY")
        let own = ownDevice(caller)
        if let own, let other = request.labels.first(where: { $0.deviceID != own }) {
          throw RPCError(
            .permissionDenied,
            "\(caller.principal) may label only records of device \(own), not of device"
              + " \(other.deviceID)")
        }
        return try await auditedWrite(
          caller, "UpdateLabels", table.fullName, [("labels", String(request.labels.count))]
        ) { (audit) throws(RPCError) in
          try await mappedAsync { () async throws(ServiceError) in
            try await engine.updateLabels(request.labels, audit: audit)
          }
        }
      },
    ]
  }

  /// Returns the device a device principal ("device:<id>") may write for, nil for other
  /// principals.
  func ownDevice(_ caller: Caller) -> String? {
    caller.principal.hasPrefix("device:") ? String(caller.principal.dropFirst(7)) : nil
  }

  /// Returns why a device principal may not write `batch`: a record or label of another
  /// device, or one without a device id. nil for a batch it may write, and for other callers.
  func ownershipRejection(_ batch: IngestBatch, _ caller: Caller) -> RPCError? {
    guard let own = ownDevice(caller) else { return nil }
    let foreign =
      batch.records.first { $0.deviceID != own }?.deviceID
      ?? batch.labels.first { $0.deviceID != own }?.deviceID
    guard let foreign else { return nil }
    if foreign.isEmpty {
      return RPCError(
        .invalidArgument,
        "a record or label of batch \(batch.batchID) has an empty device_id; set it to \(own)."
          + " Nothing of the batch was stored")
    }
    return RPCError(
      .permissionDenied,
      "\(caller.principal) may write only records of device \(own), not of device \(foreign);"
        + " nothing of batch \(batch.batchID) was stored")
  }

  /// Returns the region of each device the batch's records name, from the registry's
  /// inventory, or why the batch cannot be stored: the inventory is unreachable or a device
  /// is not registered.
  func deviceRegions(_ batch: IngestBatch, _ caller: Caller) async
    -> Result<[String: String], RPCError>
  {
    // A batch's records mostly share one device, so only a change of device is hashed.
    var ids = Set<String>()
    var previous: String?
    for record in batch.records where record.deviceID != previous {
      previous = record.deviceID
      ids.insert(record.deviceID)
    }
    let known: [String: RegistryDevice]
    do {
      known = try await devices.devices(ids, requestID: caller.requestID)
    } catch {
      return .failure(
        RPCError(
          error.code,
          "the device inventory cannot be read (\(error.message)); nothing of batch"
            + " \(batch.batchID) was stored, send it again"))
    }
    if let unknown = ids.sorted().first(where: { known[$0] == nil }) {
      return .failure(
        RPCError(
          .failedPrecondition,
          "device \(unknown) is not registered; register it with `edgecat device register`"
            + " first. Nothing of batch \(batch.batchID) was stored"))
    }
    return .success(known.mapValues(\.region))
  }

  /// Returns the acknowledgement that rejects `batch`, and logs the rejection.
  func rejected(
    _ batch: IngestBatch, _ caller: Caller, _ code: StatusCode, _ message: String
  ) -> IngestAck {
    var ack = IngestAck()
    ack.batchID = batch.batchID
    ack.code = Int32(code.rawValue)
    ack.message = message
    logRejection(ack, records: batch.records.count, caller)
    return ack
  }

  /// Logs the rejection that `ack` sends for a batch of `records` records.
  func logRejection(_ ack: IngestAck, records: Int, _ caller: Caller) {
    logger.warning(
      "ingest batch rejected",
      [
        "principal": caller.principal, "batch.id": ack.batchID, "records": records,
        "request.id": caller.requestID, "error": ack.message,
      ])
  }
}
