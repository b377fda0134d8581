import EdgecatCore
import EdgecatProto
import EdgecatStore

extension AlertEngine {
  /// Returns a page of the current alerts in `states`, every state but inactive when empty,
  /// newest change first. An unknown state is INVALID_ARGUMENT.
  public func listAlerts(
    states: [Edgecat_Telemetry_V1_AlertState], pageSize: Int32, pageToken: String
  ) async throws(ServiceError) -> (alerts: [Edgecat_Telemetry_V1_Alert], nextPageToken: String) {
    let limit = try Paging.limit(Int(pageSize))
    let list = "alerts"
    let cursor = try LogCursor.decode(pageToken, list: list)

    let known: [AlertState] = [.inactive, .pending, .firing, .resolved]
    for state in states where !known.contains(state) {
      throw .invalidArgument(
        "states names \(AlertNames.state(state)), which no alert has; use "
          + known.map(AlertNames.state).joined(separator: ", ") + ", or none for all but"
          + " inactive")
    }

    let selected = states.isEmpty ? [.pending, .firing, .resolved] : Array(Set(states))
    var sql =
      "SELECT rowid, since, \(AlertRows.alertColumns) FROM alerts WHERE state IN ("
      + selected.map { String($0.rawValue) }.joined(separator: ", ") + ")"
    var values: [SQLValue] = []
    if let cursor {
      sql += " AND (since, rowid) < (?, ?)"
      values += [.real(cursor.time), .integer(cursor.rowID)]
    }
    sql += " ORDER BY since DESC, rowid DESC LIMIT ?"
    values.append(.integer(Int64(limit) + 1))

    let query = sql
    let rows: [Row]
    do {
      rows = try await store.read { [values] db in try db.query(query, values) }
    } catch {
      throw storageError(error, "listing alerts")
    }
    let (page, next) = LogQuery.page(rows, limit: limit, list: list)
    return (page.map { AlertRows.alert($0, offset: 2) }, next)
  }

  /// Returns a page of the stored transitions, newest first, of one rule or one subject when
  /// given.
  public func listTransitions(
    rule: String?, subject: String?, pageSize: Int32, pageToken: String
  ) async throws(ServiceError)
    -> (transitions: [Edgecat_Telemetry_V1_AlertTransition], nextPageToken: String)
  {
    let limit = try Paging.limit(Int(pageSize))
    let list = "alert-transitions"

    var conditions: [String] = []
    var values: [SQLValue] = []
    if let cursor = try Paging.cursor(in: pageToken, list: list) {
      guard let id = Int64(cursor) else {
        throw .invalidArgument(
          "page_token is malformed; pass the next_page_token of the previous page unchanged")
      }
      conditions.append("id < ?")
      values.append(.integer(id))
    }
    if let rule, !rule.isEmpty {
      conditions.append("rule_name = ?")
      values.append(.text(rule))
    }
    if let subject, !subject.isEmpty {
      conditions.append("subject = ?")
      values.append(.text(subject))
    }
    var sql = "SELECT \(AlertRows.transitionColumns) FROM alert_transitions"
    if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
    sql += " ORDER BY id DESC LIMIT ?"
    values.append(.integer(Int64(limit) + 1))

    let (query, parameters) = (sql, values)
    let transitions: [AlertTransition]
    do {
      transitions = try await store.read { db in
        try db.query(query, parameters).map(AlertRows.transition)
      }
    } catch {
      throw storageError(error, "listing alert transitions")
    }
    guard transitions.count > limit else { return (transitions, "") }
    let page = Array(transitions.prefix(limit))
    return (page, Paging.token(list: list, cursor: String(page[limit - 1].transitionID)))
  }
}
