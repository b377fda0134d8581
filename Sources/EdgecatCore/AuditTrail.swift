import EdgecatStore

/// One audited action of a service other than the policy service, as stored and listed.
public struct AuditRecord: Sendable, Hashable {
  public var id: String
  /// Seconds since the Unix epoch.
  public var time: Double
  public var action: String
  /// The end user the action was taken for.
  public var principal: String
  public var securable: String?
  /// The call's parameters as a JSON object of strings; secrets never appear.
  public var parameters: String
  /// `OK` or the gRPC status code name of the failure.
  public var result: String
  public var requestID: String
  /// HOST:PORT of the caller.
  public var peer: String

  public init(
    id: String, time: Double, action: String, principal: String, securable: String?,
    parameters: String, result: String, requestID: String, peer: String
  ) {
    self.id = id
    self.time = time
    self.action = action
    self.principal = principal
    self.securable = securable
    self.parameters = parameters
    self.result = result
    self.requestID = requestID
    self.peer = peer
  }
}

/// The `audit_events` table that the catalog, registry and telemetry services keep in their
/// own databases: its migration, inserts and the filtered, paged listing.
public enum AuditTrail {
  /// The SQL of a migration that creates the table and the indexes of the listing filters.
  /// Each index ends in `time`, so a filtered page reads its rows newest first.
  public static let schemaSQL = """
    CREATE TABLE audit_events (
      id TEXT PRIMARY KEY, time REAL NOT NULL, action TEXT NOT NULL, principal TEXT NOT NULL,
      securable TEXT, parameters TEXT NOT NULL, result TEXT NOT NULL,
      request_id TEXT NOT NULL, peer TEXT NOT NULL);
    CREATE INDEX audit_events_by_time ON audit_events (time);
    CREATE INDEX audit_events_by_principal ON audit_events (principal, time);
    CREATE INDEX audit_events_by_action ON audit_events (action, time);
    CREATE INDEX audit_events_by_securable ON audit_events (securable, time);
    """

  static let list = "audit"

  /// Inserts one event; a mutation calls this inside its own transaction, so the event
  /// commits with it.
  public static func insert(_ event: AuditRecord, into db: Database) throws {
    try db.execute(
      "INSERT INTO audit_events (id, time, action, principal, securable, parameters, result,"
        + " request_id, peer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      .text(event.id), .real(event.time), .text(event.action), .text(event.principal),
      SQLValue(event.securable.map(AuditEventFilter.normalizedSecurable)),
      .text(event.parameters), .text(event.result), .text(event.requestID), .text(event.peer))
  }

  /// Lists the events that match `filter`, newest first, one page at a time. A bad page size,
  /// page token or time range is INVALID_ARGUMENT; a store failure is INTERNAL.
  public static func list(
    _ filter: AuditEventFilter, in store: Store, database: String
  ) async throws(ServiceError) -> AuditRecordPage {
    let limit = try Paging.limit(filter.pageSize)
    var query = LogQuery()
    try query.time(from: filter.startTime, to: filter.endTime)
    query.equal("principal", filter.principal)
    query.equal("action", filter.action)
    query.equal("securable", filter.securable)
    query.after(try LogCursor.decode(filter.pageToken, list: list))
    let (sql, values) = query.sql(
      columns: "id, action, principal, securable, parameters, result, request_id, peer",
      table: "audit_events", limit: limit)

    let rows: [Row]
    do {
      rows = try await store.read { db in try db.query(sql, values) }
    } catch {
      throw .storage(error, operation: "listing audit events", database: database)
    }
    let (page, next) = LogQuery.page(rows, limit: limit, list: list)
    let events = page.map { row in
      AuditRecord(
        id: row[2].string ?? "", time: row[1].double ?? 0, action: row[3].string ?? "",
        principal: row[4].string ?? "", securable: row[5].string,
        parameters: row[6].string ?? "{}", result: row[7].string ?? "",
        requestID: row[8].string ?? "", peer: row[9].string ?? "")
    }
    return AuditRecordPage(events: events, nextPageToken: next)
  }
}

/// One page of audit events, newest first.
public struct AuditRecordPage: Sendable {
  public let events: [AuditRecord]
  /// The token of the next page; empty on the last page.
  public let nextPageToken: String
}
