import EdgecatProto
import EdgecatRPC

typealias IngestCall = TypedCall<Edgecat_Telemetry_V1_IngestBatch, Edgecat_Telemetry_V1_IngestAck>

extension Forwarder {
  /// The end of one stream: the reason to log and the batches acknowledged on it.
  struct StreamOutcome: Sendable {
    var reason: String
    var acknowledged: Int
  }

  /// Why a stream is given up: a rejected batch, an unexpected acknowledgement or a failure
  /// of the spool.
  struct StreamFailure: Error, CustomStringConvertible {
    let description: String
  }

  /// Runs one stream until it breaks or the task is cancelled. `afterFailures` counts the
  /// streams that failed before this one, so that the first acknowledgement logs that
  /// forwarding works again.
  func runStream(afterFailures: Int) async -> StreamOutcome {
    let call: IngestCall = uplink.telemetry.makeCall(
      Uplink.telemetryPath("StreamInferenceLogs"), metadata: uplink.metadata)
    counters.opened()
    let window = ForwardingWindow(capacity: self.window)
    let before = counters.batches
    let reason: String = await withTaskGroup(of: String?.self) { group in
      group.addTask { await self.send(on: call, window) }
      group.addTask { await self.receive(on: call, window, afterFailures: afterFailures) }
      let first = await group.next() ?? nil
      call.cancel()
      wakeup.notify()
      group.cancelAll()
      var reason = first
      for await other in group where reason == nil { reason = other }
      return reason ?? "the stream was cancelled"
    }
    return StreamOutcome(reason: reason, acknowledged: counters.batches - before)
  }

  /// Sends batches while the window has room; returns why it stopped.
  private func send(on call: IngestCall, _ window: ForwardingWindow) async -> String? {
    while !Task.isCancelled {
      let entry: ForwardingWindow.InFlight
      if let resend = window.takeResend() {
        entry = resend
      } else if window.hasRoom {
        if let mark = spool.takeResendMark() { window.rewind(to: mark) }
        let (afterSeq, afterLabelID) = window.cursor
        let batch: SpoolBatch
        do {
          batch = try await spool.pending(
            afterSeq: afterSeq, afterLabelID: afterLabelID, limit: batchRecords)
        } catch {
          logger.error("spool read failed", ["error": "\(error)"])
          return "the spool could not be read: \(error)"
        }
        guard !batch.isEmpty else {
          await wakeup.wait(timeout: Self.idlePoll)
          continue
        }
        // After a rewind, a batch can contain only entries that are already in flight.
        guard let added = window.add(batch) else { continue }
        entry = added
      } else {
        await wakeup.wait(timeout: Self.idlePoll)
        continue
      }
      do {
        try await call.send(message(entry))
        logger.debug(
          "batch sent",
          [
            "batch_id": entry.batchID, "records": entry.batch.records.count,
            "labels": entry.batch.labels.count,
          ])
      } catch {
        return "sending a batch failed: \(error)"
      }
    }
    return nil
  }

  /// Reads acknowledgements and removes acknowledged batches from the spool; returns why the
  /// stream ended.
  private func receive(on call: IngestCall, _ window: ForwardingWindow, afterFailures: Int)
    async -> String?
  {
    var acknowledged = 0
    do {
      for try await ack in call.responses {
        try await handle(ack, window)
        wakeup.notify()
        acknowledged += 1
        if acknowledged == 1 && afterFailures > 0 {
          logger.info("telemetry stream working again", ["failed_streams": afterFailures])
        }
      }
      let status = await call.status
      return "telemetry ended the stream with \(status)"
    } catch let failure as StreamFailure {
      return failure.description
    } catch {
      return "the stream failed: \(error)"
    }
  }
}
