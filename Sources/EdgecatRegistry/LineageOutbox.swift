import EdgecatCore
import EdgecatStore

/// The request context a deployment step ran in, which the catalog call that records the
/// step's lineage carries.
public struct LineageCaller: Sendable, Hashable {
  /// The end user the step ran for, or nil for a step the registry ran itself.
  public var principal: String?
  public var requestID: String
  /// The environment sent in `x-edgecat-environment`, or nil to send none.
  public var environment: String?

  public init(principal: String?, requestID: String, environment: String?) {
    self.principal = principal
    self.requestID = requestID
    self.environment = environment
  }
}

/// One lineage edge waiting in the outbox for the catalog to store it.
public struct LineageOutboxEdge: Sendable, Hashable {
  /// The row id, which orders the edges in the order their steps committed.
  public let id: Int64
  public let source: String
  public let target: String
  public let kind: String
  public let caller: LineageCaller
  /// Seconds since the Unix epoch.
  public let queuedAt: Double
}

extension RegistryEngine {
  /// The maximum number of edges in one AddLineageEdges call of the catalog.
  public static let maximumLineageBatch = 1000

  /// Queues one edge of `kind` from the model version to each device, in the transaction of
  /// the step that changed those devices, so that the commit carries its lineage.
  static func queueLineage(
    model: String, version: Int64, devices: [String], kind: String, caller: LineageCaller,
    at time: Double, in db: Database
  ) throws {
    let principal: SQLValue = caller.principal.map { .text($0) } ?? .null
    let environment: SQLValue = caller.environment.map { .text($0) } ?? .null
    for device in devices {
      try db.execute(
        "INSERT INTO lineage_outbox (source, target, kind, principal, request_id, environment,"
          + " queued_at) VALUES (?, ?, ?, ?, ?, ?, ?)", .text("model-version:\(model)/\(version)"),
        .text("device:\(device)"), .text(kind), principal, .text(caller.requestID), environment,
        .real(time))
    }
  }

  /// Returns the oldest pending edges that share the first one's caller, at most `limit` of
  /// them and in queue order, or an empty array when no edge is pending. Edges marked failed
  /// are skipped.
  public func nextLineageBatch(limit: Int = maximumLineageBatch) async throws(ServiceError)
    -> [LineageOutboxEdge]
  {
    let rows: [Row]
    do {
      rows = try await store.read { db in
        try db.query(
          "SELECT id, source, target, kind, principal, request_id, environment, queued_at"
            + " FROM lineage_outbox WHERE failed_at IS NULL ORDER BY id LIMIT ?",
          .integer(Int64(limit)))
      }
    } catch {
      throw storageError(error, "reading the lineage outbox")
    }
    let edges = rows.compactMap { row -> LineageOutboxEdge? in
      guard let id = row[0].int64, let source = row[1].string, let target = row[2].string,
        let kind = row[3].string, let requestID = row[5].string
      else { return nil }
      return LineageOutboxEdge(
        id: id, source: source, target: target, kind: kind,
        caller: LineageCaller(
          principal: row[4].string, requestID: requestID, environment: row[6].string),
        queuedAt: row[7].double ?? 0)
    }
    guard let first = edges.first else { return [] }
    return Array(edges.prefix { $0.caller == first.caller })
  }

  /// Deletes outbox rows, after the catalog stored their edges.
  public func deleteLineage(_ ids: [Int64]) async throws(ServiceError) {
    do {
      try await store.write { db in
        for id in ids { try db.execute("DELETE FROM lineage_outbox WHERE id = ?", .integer(id)) }
      }
    } catch {
      throw storageError(error, "deleting delivered lineage edges")
    }
  }

  /// Marks outbox rows failed with the catalog's error, which keeps them in the table and
  /// out of later batches.
  public func markLineageFailed(_ ids: [Int64], error message: String) async throws(ServiceError) {
    let now = clock()
    do {
      try await store.write { db in
        for id in ids {
          try db.execute(
            "UPDATE lineage_outbox SET failed_at = ?, error = ? WHERE id = ?", .real(now),
            .text(message), .integer(id))
        }
      }
    } catch {
      throw storageError(error, "marking lineage edges failed")
    }
  }

  /// Returns how many outbox rows are pending delivery and how many the catalog rejected.
  public func lineageOutboxCounts() async throws(ServiceError) -> (pending: Int, failed: Int) {
    do {
      return try await store.read { db in
        let row = try db.queryOne(
          "SELECT count(*) FILTER (WHERE failed_at IS NULL),"
            + " count(*) FILTER (WHERE failed_at IS NOT NULL) FROM lineage_outbox")
        return (row?[0].int ?? 0, row?[1].int ?? 0)
      }
    } catch {
      throw storageError(error, "counting the lineage outbox")
    }
  }
}
