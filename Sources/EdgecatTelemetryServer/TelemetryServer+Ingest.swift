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
        var batches = 0
        var stored: Int64 = 0
        defer {
          // One audit event per stream, queued when it ends, names how much it stored.
          auditor.buffer.append(
            auditor.record(
              caller.identity, peer: caller.peer, "StreamInferenceLogs", table.fullName,
              [("batches", String(batches)), ("stored", String(stored))]))
        }
        for try await bytes in messages {
          let ack = try await ingest(bytes, caller)
          try await writer.write(ack.serializedBytes())
          batches += 1
          stored += ack.stored
        }
        logger.info(
          "ingest stream closed",
          [
            "principal": caller.principal, "batches": batches, "stored": stored,
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
        // NOTE: label and ingest audit events are queued, not committed with the rows, so a
        // crash can lose the last second of them. The rows themselves are durable.
        return try await auditedRead(
          caller, "UpdateLabels", table.fullName, [("labels", String(request.labels.count))]
        ) { () throws(RPCError) in
          try await mappedAsync { () async throws(ServiceError) in
            try await engine.updateLabels(request.labels)
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

  /// Commits one batch and returns its acknowledgement. A batch that cannot be stored is
  /// rejected in its acknowledgement, and the stream goes on. A caller that lost MODIFY ends
  /// the stream with PERMISSION_DENIED.
  private func ingest(_ bytes: [UInt8], _ caller: Caller) async throws(RPCError) -> IngestAck {
    let batch: IngestBatch
    do {
      batch = try IngestBatch(serializedBytes: bytes)
    } catch {
      throw RPCError(.invalidArgument, "invalid edgecat.telemetry.v1.IngestBatch: \(error.message)")
    }

    // Revocation takes effect at the next batch, because the decision comes from the policy
    // client's cache, which a revoke invalidates.
    try await authorizeTable(caller, "MODIFY")
    if let rejection = ownershipRejection(batch, caller) {
      return rejected(batch, caller, rejection.code, rejection.message)
    }
    let regions: [String: String]
    switch await deviceRegions(batch, caller) {
    case .success(let found):
      regions = found
    case .failure(let error):
      return rejected(batch, caller, error.code, error.message)
    }

    do {
      let result = try await engine.ingest(batch, byteCount: bytes.count, regions: regions)
      if !result.newWriters.isEmpty {
        let writers = result.newWriters
        Task { await lineage.record(writers) }
      }
      if result.ack.code != 0 {
        logRejection(batch, caller, result.ack.message)
      }
      return result.ack
    } catch {
      return rejected(batch, caller, error.rpcError.code, error.message)
    }
  }

  /// Returns why a device principal may not write `batch`: a record or label of another
  /// device, or one without a device id. nil for a batch it may write, and for other callers.
  private func ownershipRejection(_ batch: IngestBatch, _ caller: Caller) -> RPCError? {
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
  private func deviceRegions(_ batch: IngestBatch, _ caller: Caller) async
    -> Result<[String: String], RPCError>
  {
    let ids = Set(batch.records.map(\.deviceID))
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
  private func rejected(
    _ batch: IngestBatch, _ caller: Caller, _ code: StatusCode, _ message: String
  ) -> IngestAck {
    logRejection(batch, caller, message)
    var ack = IngestAck()
    ack.batchID = batch.batchID
    ack.code = Int32(code.rawValue)
    ack.message = message
    return ack
  }

  private func logRejection(_ batch: IngestBatch, _ caller: Caller, _ message: String) {
    logger.warning(
      "ingest batch rejected",
      [
        "principal": caller.principal, "batch.id": batch.batchID, "records": batch.records.count,
        "request.id": caller.requestID, "error": message,
      ])
  }
}
