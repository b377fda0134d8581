import EdgecatCore
import EdgecatLog
import EdgecatProto
import EdgecatRPC
import EdgecatRegistry
import EdgecatServiceKit
import Synchronization

/// Delivers the registry's lineage outbox to the catalog in queue order, in AddLineageEdges
/// calls of at most 1000 edges that share a principal, request id and environment. A row is
/// deleted only after the catalog stored its edge. The catalog's `lineage_edges` table has
/// (source, target, kind) as its primary key and AddLineageEdges skips an edge it already has,
/// so an edge sent again after a crash between the catalog's response and the delete is not
/// duplicated. Thread-safe.
public final class LineageOutboxSender: Sendable {
  private let engine: RegistryEngine
  private let catalog: CatalogClient
  private let initialRetryDelay: Duration
  private let maximumRetryDelay: Duration
  /// The time between two log lines about the same run of failed attempts.
  private let repeatLogInterval: Duration
  private let task = Mutex<Task<Void, Never>?>(nil)
  private let logger = Logger(component: "lineage-outbox")

  /// A failed call is retried after `initialRetryDelay`, and the delay doubles with each
  /// failure in a row up to `maximumRetryDelay`.
  public init(
    engine: RegistryEngine, catalog: CatalogClient,
    initialRetryDelay: Duration = .milliseconds(200), maximumRetryDelay: Duration = .seconds(30),
    repeatLogInterval: Duration = .seconds(60)
  ) {
    self.engine = engine
    self.catalog = catalog
    self.initialRetryDelay = initialRetryDelay
    self.maximumRetryDelay = maximumRetryDelay
    self.repeatLogInterval = repeatLogInterval
  }

  /// Starts delivering, beginning with the rows an earlier run left. Does nothing when the
  /// sender is already running.
  public func start() {
    task.withLock { task in
      guard task == nil else { return }
      task = Task { await self.run() }
    }
  }

  /// Stops delivering and waits for the call in flight, if any, to end. Undelivered rows stay
  /// in the outbox for the next start.
  public func stop() async {
    let running = task.withLock { task in
      defer { task = nil }
      return task
    }
    running?.cancel()
    await running?.value
  }

  private func run() async {
    await logLeftoverRows()
    var retryDelay = initialRetryDelay
    var failures = 0
    var lastLogged = ContinuousClock.now
    while !Task.isCancelled {
      let outcome = await deliverNextBatch()
      switch outcome {
      case .idle:
        await engine.lineageQueued.wait()
      case .progressed:
        if failures > 0 {
          logger.info("lineage delivery resumed", ["failed_attempts": failures])
          failures = 0
          retryDelay = initialRetryDelay
        }
      case .failed(let message, let edges):
        failures += 1
        let now = ContinuousClock.now
        if failures == 1 || now - lastLogged >= repeatLogInterval {
          lastLogged = now
          logger.error(
            "delivering lineage edges to the catalog failed; retrying with backoff",
            [
              "edges": edges, "pending": await pendingCount(), "failed_attempts": failures,
              "retry_delay": retryDelay,
              "error": message,
            ])
        }
        do {
          try await Task.sleep(for: retryDelay)
        } catch {
          return
        }
        retryDelay = min(retryDelay * 2, maximumRetryDelay)
      }
    }
  }

  /// A failure worth retrying: the catalog did not store the edges, or the registry database
  /// failed.
  private struct DeliveryFailure: Error {
    let message: String
  }

  private enum Outcome {
    /// The outbox has no pending row.
    case idle
    /// Rows were delivered or set aside as rejected.
    case progressed
    /// The catalog or the registry database failed, and the rows stay pending.
    case failed(String, edges: Int)
  }

  private func deliverNextBatch() async -> Outcome {
    let batch: [LineageOutboxEdge]
    do {
      batch = try await engine.nextLineageBatch()
    } catch {
      return .failed(error.message, edges: 0)
    }
    guard !batch.isEmpty else { return .idle }
    do {
      try await deliver(batch[...])
      return .progressed
    } catch {
      return .failed(error.message, edges: batch.count)
    }
  }

  /// Sends `edges` in one call and deletes their rows once the catalog accepted them. A
  /// permanent rejection of several edges splits them in halves and sends each, so that only
  /// the rejected edges are set aside. Throws on a failure worth retrying.
  private func deliver(_ edges: ArraySlice<LineageOutboxEdge>) async throws(DeliveryFailure) {
    guard let first = edges.first else { return }
    var request = Edgecat_Catalog_V1_AddLineageEdgesRequest()
    request.edges = edges.map { edge in
      var message = Edgecat_Catalog_V1_NewLineageEdge()
      message.source = edge.source
      message.target = edge.target
      message.kind = edge.kind
      return message
    }
    do {
      let _: Edgecat_Catalog_V1_AddLineageEdgesResponse = try await catalog.call(
        "AddLineageEdges", request, onBehalfOf: first.caller.principal,
        requestID: first.caller.requestID, environment: first.caller.environment)
    } catch {
      // INVALID_ARGUMENT, NOT_FOUND and PERMISSION_DENIED come back the same on every retry,
      // for example when the model was dropped from the catalog since the step. Such an edge
      // is marked failed with the catalog's message and logged as an error. Its row stays in
      // lineage_outbox for an operator and later edges are delivered past it. Any other
      // code, such as UNAVAILABLE, is retried.
      guard [.invalidArgument, .notFound, .permissionDenied].contains(error.code) else {
        throw DeliveryFailure(
          message: "AddLineageEdges failed with \(error.code): \(error.message)")
      }
      if edges.count > 1 {
        let middle = edges.startIndex + edges.count / 2
        try await deliver(edges[..<middle])
        try await deliver(edges[middle...])
        return
      }
      do {
        try await engine.markLineageFailed([first.id], error: error.message)
      } catch {
        throw DeliveryFailure(message: error.message)
      }
      logger.error(
        "the catalog rejected a lineage edge; it stays in the outbox marked failed",
        [
          "source": first.source, "target": first.target, "kind": first.kind,
          "request.id": first.caller.requestID, "code": error.code,
          "error": error.message,
        ])
      return
    }
    do {
      try await engine.deleteLineage(edges.map(\.id))
    } catch {
      throw DeliveryFailure(message: error.message)
    }
  }

  private func logLeftoverRows() async {
    do {
      let counts = try await engine.lineageOutboxCounts()
      if counts.pending > 0 {
        logger.info("delivering lineage edges queued before this start", ["edges": counts.pending])
      }
      if counts.failed > 0 {
        logger.warning(
          "the lineage outbox has edges the catalog rejected; they are not sent again",
          ["edges": counts.failed])
      }
    } catch {
      logger.error("reading the lineage outbox failed", ["error": error.message])
    }
  }

  private func pendingCount() async -> String {
    do {
      return String(try await engine.lineageOutboxCounts().pending)
    } catch {
      return "unknown"
    }
  }
}
