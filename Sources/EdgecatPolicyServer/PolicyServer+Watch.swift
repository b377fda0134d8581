import EdgecatPolicy
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit

extension PolicyServer {
  typealias WatchRequest = Edgecat_Policy_V1_WatchRequest
  typealias WatchResponse = Edgecat_Policy_V1_WatchResponse

  /// Streams every change after the caller's start revision and a heartbeat at least every
  /// 100 ms, and records the caller's acknowledgements. A subscriber with an unacknowledged
  /// change gets no heartbeat, so its lease runs out while a write waits for it.
  var watchMethod: RPCMethod {
    .bidirectionalStreaming(Self.path("Watch")) {
      (requests: RequestStream<WatchRequest>, writer: ResponseStreamWriter<WatchResponse>, context)
      in
      let caller = try caller(context)
      guard caller.isService || caller.isAdmin else {
        throw RPCError(
          .permissionDenied,
          "\(caller.context.principal) may not watch policy changes; that is for members of "
            + "edgecat-services and metastore-admins")
      }
      var iterator = requests.makeAsyncIterator()
      guard case .startRevision(let requested)? = try await iterator.next()?.request else {
        throw RPCError(
          .invalidArgument, "the first Watch message must set start_revision (0 for now)")
      }
      let start = requested == 0 ? engine.revision : requested
      _ = try mapped { () throws(PolicyError) in try engine.changes(since: start) }
      let (id, wake) = hub.subscribe(at: start)
      defer { hub.unsubscribe(id) }
      let acknowledgements = iterator
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
          var iterator = acknowledgements
          while let message = try await iterator.next() {
            if case .acknowledgedRevision(let revision)? = message.request {
              hub.acknowledge(id, revision: revision)
            }
          }
        }
        group.addTask {
          try await streamChanges(
            from: start, subscriber: id, wake: wake, writer: writer, context: context)
        }
        try await group.next()
        group.cancelAll()
      }
    }
  }

  private func streamChanges(
    from start: UInt64, subscriber id: UInt64, wake: AsyncStream<Void>,
    writer: ResponseStreamWriter<WatchResponse>, context: ServerContext
  ) async throws {
    var sent = start
    var heartbeat = WatchResponse()
    // The first pass sends the changes after `start`, then a heartbeat with the revision reached.
    hub.nudge(id)
    let ticks = Task {
      // Wakes the loop below every 50 ms, so heartbeats leave at least every 100 ms.
      while !Task.isCancelled {
        try await Task.sleep(for: .milliseconds(50))
        hub.nudge(id)
      }
    }
    defer { ticks.cancel() }
    for await _ in wake {
      try Task.checkCancellation()
      if context.isServerShuttingDown {
        throw RPCError(
          .unavailable, "the policy service is shutting down; watch again from the last revision")
      }
      let changes = try mapped { () throws(PolicyError) in try engine.changes(since: sent) }
      for record in changes {
        var response = WatchResponse()
        var change = Edgecat_Policy_V1_PolicyChange()
        change.revision = record.revision
        change.kind = record.kind.rawValue
        change.principal = record.principal ?? ""
        change.securable = record.securable ?? ""
        response.event = .change(change)
        try await writer.write(response)
        hub.sent(to: id, revision: record.revision)
        sent = max(sent, record.revision)
      }
      if !hub.isAwaitingAcknowledgement(id) {
        heartbeat.event = .heartbeatRevision(sent)
        try await writer.write(heartbeat)
        hub.sent(to: id, revision: nil)
      }
    }
  }
}
