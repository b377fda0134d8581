import EdgecatCore
import EdgecatStore

/// One stored lineage edge.
public struct LineageEdgeRecord: Sendable, Hashable {
  public let source: String
  public let target: String
  public let kind: String
  public let recordedBy: String
  /// Seconds since the Unix epoch.
  public let recordedAt: Double

  public init(
    source: String, target: String, kind: String, recordedBy: String, recordedAt: Double
  ) {
    self.source = source
    self.target = target
    self.kind = kind
    self.recordedBy = recordedBy
    self.recordedAt = recordedAt
  }
}

extension CatalogEngine {
  /// Stores edges that are new, with the audit event, and returns how many were new.
  public func addLineageEdges(
    _ edges: [LineageEdgeRecord], audit: AuditRecord
  ) async throws(ServiceError) -> Int {
    do {
      return try await store.write { db in
        var added = 0
        for edge in edges {
          try db.execute(
            "INSERT OR IGNORE INTO lineage_edges (source, target, kind, recorded_by,"
              + " recorded_at) VALUES (?, ?, ?, ?, ?)", .text(edge.source), .text(edge.target),
            .text(edge.kind), .text(edge.recordedBy), .real(edge.recordedAt))
          added += db.changes
        }
        try AuditTrail.insert(audit, into: db)
        return added
      }
    } catch {
      throw storageError(error, "adding lineage edges")
    }
  }

  /// Returns the edges whose source (downstream) or target (upstream) is one of `nodes`.
  public func lineageEdges(
    from nodes: [String], downstream: Bool
  ) async throws(ServiceError) -> [LineageEdgeRecord] {
    guard !nodes.isEmpty else { return [] }
    let column = downstream ? "source" : "target"
    let placeholders = nodes.map { _ in "?" }.joined(separator: ", ")
    let values = nodes.map { SQLValue.text($0) }
    do {
      let rows = try await store.read { db in
        try db.query(
          "SELECT source, target, kind, recorded_by, recorded_at FROM lineage_edges"
            + " WHERE \(column) IN (\(placeholders)) ORDER BY source, target, kind", values)
      }
      return rows.map { row in
        LineageEdgeRecord(
          source: row[0].string ?? "", target: row[1].string ?? "", kind: row[2].string ?? "",
          recordedBy: row[3].string ?? "", recordedAt: row[4].double ?? 0)
      }
    } catch {
      throw storageError(error, "reading lineage")
    }
  }

  /// Lists the audit events of this catalog.
  public func listAuditEvents(
    _ filter: AuditEventFilter
  ) async throws(ServiceError) -> AuditRecordPage {
    try await AuditTrail.list(filter, in: store, database: "catalog")
  }
}
