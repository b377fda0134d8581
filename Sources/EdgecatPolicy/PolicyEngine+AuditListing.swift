import EdgecatCore
import EdgecatStore

/// One page of audit events, newest first.
public struct AuditEventPage: Sendable {
  public let events: [AuditEvent]
  /// The token of the next page; empty on the last page.
  public let nextPageToken: String
}

extension PolicyEngine {
  static let auditList = "audit"

  /// Lists the audit events that match `filter`, newest first, one page at a time. A bad page
  /// size, page token or time range is INVALID_ARGUMENT. The caller checks that the requester
  /// may read the audit log.
  public func listAuditEvents(_ filter: AuditEventFilter) async throws -> AuditEventPage {
    let limit = try Paging.limit(filter.pageSize)
    var query = LogQuery()
    try query.time(from: filter.startTime, to: filter.endTime)
    query.equal("principal", filter.principal)
    query.equal("action", filter.action)
    query.equal("securable", filter.securable)
    query.after(try LogCursor.decode(filter.pageToken, list: Self.auditList))
    let (sql, values) = query.sql(
      columns:
        "id, action, principal, securable, parameters, result, request_id, revision, peer",
      table: "audit_events", limit: limit)

    let rows: [Row]
    do {
      rows = try await store.read { db in try db.query(sql, values) }
    } catch {
      logger.error("audit listing failed", ["error": "\(error)"])
      throw PolicyError.storage(error, operation: "listing audit events")
    }
    let (page, next) = LogQuery.page(rows, limit: limit, list: Self.auditList)
    let events = page.map { row in
      AuditEvent(
        id: row[2].string ?? "", time: row[1].double ?? 0, action: row[3].string ?? "",
        principal: row[4].string ?? "", securable: row[5].string,
        parameters: row[6].string ?? "{}", result: row[7].string ?? "",
        requestID: row[8].string ?? "", revision: UInt64(row[9].int64 ?? 0),
        peer: row[10].string ?? "")
    }
    return AuditEventPage(events: events, nextPageToken: next)
  }
}
