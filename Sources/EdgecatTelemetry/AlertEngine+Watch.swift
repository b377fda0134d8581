import EdgecatProto
import EdgecatStore

extension AlertEngine {
  /// Ends every open watch, for a service that is stopping. Later watches work as before.
  public func finishWatches() {
    watchers.finishAll()
  }

  /// Transitions after `afterID` that are stored, then each new one as it is stored, until the
  /// consumer stops iterating or its task is cancelled. An `afterID` of 0 sends only new
  /// ones. Each transition arrives once, in id order. A store failure while sending stored
  /// transitions is logged and ends the stream.
  public func watch(after afterID: Int64) -> AsyncStream<Edgecat_Telemetry_V1_AlertTransition> {
    // NOTE: the buffer is unbounded, so a consumer that stops reading without ending the
    // stream keeps every later transition in memory. Transitions are rare enough for that.
    let (stream, continuation) = AsyncStream.makeStream(of: AlertTransition.self)
    let replaying = afterID > 0
    let key = watchers.add(continuation, replaying: replaying, lastSent: max(0, afterID))
    guard replaying else {
      continuation.onTermination = { [watchers] _ in watchers.remove(key) }
      return stream
    }
    let replay = Task { [store, watchers, logger] in
      var last = afterID
      do {
        while !Task.isCancelled {
          let from = last
          let page = try await store.read { db in
            try db.query(
              "SELECT \(AlertRows.transitionColumns) FROM alert_transitions WHERE id > ?"
                + " ORDER BY id LIMIT 500", .integer(from)
            ).map(AlertRows.transition)
          }
          guard let lastInPage = page.last else { break }
          for transition in page { continuation.yield(transition) }
          last = lastInPage.transitionID
        }
      } catch {
        logger.error(
          "reading stored alert transitions failed", ["after": last, "error": "\(error)"])
        continuation.finish()
        return
      }
      watchers.finishReplay(key, lastSent: last)
    }
    continuation.onTermination = { [watchers] _ in
      replay.cancel()
      watchers.remove(key)
    }
    return stream
  }
}
