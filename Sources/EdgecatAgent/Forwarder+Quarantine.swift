import EdgecatProto
import EdgecatRPC

extension Forwarder {
  /// Rejections that can come from the contents of single entries, such as a field value that
  /// telemetry's rules do not accept. Other codes describe the stream, the device or its token
  /// (UNAVAILABLE, PERMISSION_DENIED, FAILED_PRECONDITION for an unregistered device) and
  /// would reject every entry, so the forwarder reconnects and sends them again instead.
  static func rejectsEntries(_ code: StatusCode) -> Bool {
    switch code {
    case .invalidArgument, .outOfRange, .notFound, .alreadyExists, .dataLoss: true
    default: false
    }
  }

  /// Isolates the entries of a rejected batch: queues its halves to be sent again, or moves
  /// a batch of one entry to the spool's quarantine, so that the entries after it go on.
  func isolate(
    _ entry: ForwardingWindow.InFlight, _ ack: Edgecat_Telemetry_V1_IngestAck,
    _ window: ForwardingWindow
  ) async throws {
    if let (first, second) = entry.batch.split() {
      window.queueForResend([first, second])
      counters.split()
      logger.debug(
        "batch rejected, splitting to find the rejected entries",
        ["batch_id": ack.batchID, "entries": entry.batch.count, "message": ack.message])
      return
    }
    let moved: Bool
    do {
      moved = try await spool.quarantine(entry.batch, statusCode: ack.code, message: ack.message)
    } catch {
      throw StreamFailure(description: "the spool could not quarantine an entry: \(error)")
    }
    guard moved else { return }
    counters.quarantined()
    logQuarantine(entry.batch, ack)
  }

  /// Logs a quarantined entry at error level: the first one, then at most one line per
  /// interval with the count of error lines left out, which go out at debug level.
  private func logQuarantine(_ batch: SpoolBatch, _ ack: Edgecat_Telemetry_V1_IngestAck) {
    let now = ContinuousClock.now
    let suppressed: Int? = quarantineLog.withLock { log in
      if let last = log.lastLine, now - last < Self.quarantineLogInterval {
        log.unlogged += 1
        return nil
      }
      defer { log.unlogged = 0 }
      log.lastLine = now
      return log.unlogged
    }
    let code = StatusCode(rawValue: Int(ack.code)).map { "\($0)" } ?? "\(ack.code)"
    // A label is named by the (epoch, seq) of the record it labels, and by its own row id.
    let epoch = batch.records.isEmpty ? batch.labels.first?.epoch ?? "" : spool.epoch
    let seq = batch.records.first?.seq ?? batch.labels.first?.seq ?? 0
    let kind = batch.records.isEmpty ? "label" : "record"
    // Lines left out at error level still go out at debug level.
    logger.log(
      suppressed == nil ? .debug : .error, "telemetry rejected an entry, moved it to quarantine",
      [
        "entry": kind, "epoch": epoch, "seq": seq, "status": code, "message": ack.message,
        "spool_quarantined": spool.statistics.quarantined,
        "quarantines_not_logged": suppressed ?? 0,
      ])
  }
}

/// When the forwarder last logged a quarantined entry, and how many it left out since.
struct QuarantineLog {
  var lastLine: ContinuousClock.Instant?
  var unlogged = 0
}
