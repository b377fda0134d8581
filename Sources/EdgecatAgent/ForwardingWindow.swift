import Synchronization

/// The batches of one ingest stream that telemetry has not acknowledged yet, the halves of
/// rejected batches waiting to go out again, and how far the stream has read the spool.
/// Acknowledgements arrive in the order batches were sent. Thread-safe.
final class ForwardingWindow: Sendable {
  struct InFlight: Sendable {
    let batchID: UInt64
    let batch: SpoolBatch
  }

  private struct State {
    var inFlight: [InFlight] = []
    var resend: [SpoolBatch] = []
    var nextBatchID: UInt64 = 1
    var afterSeq: UInt64 = 0
    var afterLabelID: Int64 = 0
    /// Entries that were in flight or waiting to be sent again at the last rewind. Reads
    /// after a rewind find them in the spool again and leave them out.
    var skippedSeqs: Set<UInt64> = []
    var skippedLabelIDs: Set<Int64> = []
  }

  let capacity: Int
  private let state = Mutex(State())

  init(capacity: Int) {
    self.capacity = max(1, capacity)
  }

  var hasRoom: Bool { state.withLock { $0.inFlight.count < capacity } }

  var inFlightCount: Int { state.withLock { $0.inFlight.count } }

  /// The spool position after the last batch read: the highest seq and label id sent.
  var cursor: (afterSeq: UInt64, afterLabelID: Int64) {
    state.withLock { ($0.afterSeq, $0.afterLabelID) }
  }

  /// Takes a batch waiting to be sent again, records it as in flight and returns it with its
  /// new batch id. Returns nil when none waits or the window is full.
  func takeResend() -> InFlight? {
    state.withLock { state in
      guard state.inFlight.count < capacity, !state.resend.isEmpty else { return nil }
      return Self.record(state.resend.removeFirst(), in: &state)
    }
  }

  /// Moves the cursor past `batch` and records the batch as in flight, without the entries
  /// a rewind left out. Returns it with its batch id, or nil when every entry was left out.
  func add(_ batch: SpoolBatch) -> InFlight? {
    state.withLock { state in
      if let last = batch.records.last { state.afterSeq = last.seq }
      if let last = batch.labels.last { state.afterLabelID = last.id }
      var batch = batch
      if !state.skippedSeqs.isEmpty || !state.skippedLabelIDs.isEmpty {
        batch.records.removeAll { state.skippedSeqs.contains($0.seq) }
        batch.labels.removeAll { state.skippedLabelIDs.contains($0.id) }
      }
      guard !batch.isEmpty else { return nil }
      return Self.record(batch, in: &state)
    }
  }

  /// Moves the cursor back to `mark`, so that the next reads find the entries resent from
  /// quarantine. Entries now in flight or waiting to be sent again are left out of those
  /// reads, so that no entry is in two batches at once.
  func rewind(to mark: ResendMark) {
    state.withLock { state in
      // The sets are made again even when the cursor stays, because an entry left out by an
      // earlier rewind may since have been quarantined and resent.
      state.afterSeq = min(state.afterSeq, mark.afterSeq)
      state.afterLabelID = min(state.afterLabelID, mark.afterLabelID)
      let owned = state.inFlight.map(\.batch) + state.resend
      state.skippedSeqs = Set(owned.flatMap { $0.records.map(\.seq) })
      state.skippedLabelIDs = Set(owned.flatMap { $0.labels.map(\.id) })
    }
  }

  /// Removes the oldest batch in flight when `batchID` names it; nil otherwise.
  func acknowledge(_ batchID: UInt64) -> InFlight? {
    state.withLock { state in
      guard let first = state.inFlight.first, first.batchID == batchID else { return nil }
      return state.inFlight.removeFirst()
    }
  }

  /// Queues batches to be sent again before anything new from the spool.
  func queueForResend(_ batches: [SpoolBatch]) {
    state.withLock { $0.resend.insert(contentsOf: batches, at: 0) }
  }

  private static func record(_ batch: SpoolBatch, in state: inout State) -> InFlight {
    let entry = InFlight(batchID: state.nextBatchID, batch: batch)
    state.nextBatchID += 1
    state.inFlight.append(entry)
    return entry
  }
}
