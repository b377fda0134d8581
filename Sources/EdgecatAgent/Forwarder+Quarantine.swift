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
  /// interval with the count of error lines left out, which go out at debug level. When
  /// entries were left out and no later entry comes, a summary line reports them once the
  /// interval has passed.
  private func logQuarantine(_ batch: SpoolBatch, _ ack: Edgecat_Telemetry_V1_IngestAck) {
    let outcome = quarantineLog.withLock {
      $0.record(at: .now, interval: Self.quarantineLogInterval)
    }
    let suppressed: Int?
    switch outcome {
    case .log(let leftOut):
      suppressed = leftOut
    case .leaveOut(let summaryTime):
      suppressed = nil
      if let summaryTime { scheduleQuarantineSummary(at: summaryTime) }
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

extension Forwarder {
  /// Logs the count of quarantined entries left out of the error log at `time`, unless a
  /// later entry's line reported them first.
  fileprivate func scheduleQuarantineSummary(at time: ContinuousClock.Instant) {
    Task { [weak self] in
      try? await Task.sleep(until: time, clock: .continuous)
      guard let self else { return }
      guard let count = self.quarantineLog.withLock({ $0.takeSummary(at: .now) }) else { return }
      self.logger.error(
        "telemetry rejected more entries, moved them to quarantine",
        ["quarantines_not_logged": count, "spool_quarantined": self.spool.statistics.quarantined])
    }
  }
}

/// When the forwarder last logged a quarantined entry, and how many it left out since.
struct QuarantineLog {
  var lastLine: ContinuousClock.Instant?
  var unlogged = 0
  /// A summary line is scheduled and has not run yet.
  var summaryPending = false

  enum Outcome: Equatable {
    /// Log the entry at error level, with the count of entries left out before it.
    case log(leftOut: Int)
    /// Leave the entry out of the error log, and schedule a summary line at the time given.
    case leaveOut(summaryTime: ContinuousClock.Instant?)
  }

  /// Records a quarantined entry at `now`: one error line per `interval` at most.
  mutating func record(at now: ContinuousClock.Instant, interval: Duration) -> Outcome {
    if let lastLine, now - lastLine < interval {
      unlogged += 1
      if summaryPending { return .leaveOut(summaryTime: nil) }
      summaryPending = true
      return .leaveOut(summaryTime: lastLine + interval)
    }
    // A pending summary then finds nothing left out and writes no line.
    defer { unlogged = 0 }
    lastLine = now
    return .log(leftOut: unlogged)
  }

  /// Returns the count of entries left out since the last error line and counts the summary
  /// as that line, or returns nil when a later entry's line reported them.
  mutating func takeSummary(at now: ContinuousClock.Instant) -> Int? {
    summaryPending = false
    guard unlogged > 0 else { return nil }
    defer { unlogged = 0 }
    lastLine = now
    return unlogged
  }
}
