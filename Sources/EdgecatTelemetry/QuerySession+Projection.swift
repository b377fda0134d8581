import EdgecatLog
import EdgecatStore

extension QuerySession {
  /// Opens the cursor of the query's day figures projection inside a read transaction and
  /// returns true. Returns false, with the connection as it was, while a day's figures are
  /// stale or when the projection fails to prepare, so that the query runs over the raw rows,
  /// which report any error in the author's terms. The transaction makes the stale check and
  /// the figures one snapshot; `finish` ends it.
  func prepareProjection(_ projection: DayFiguresProjection, _ database: Database) -> Bool {
    let view = DayFiguresView.select(schema: plan.schema)
    do {
      try database.execute("BEGIN")
      inTransaction = true
      let stale = try database.queryOne(
        "SELECT day FROM \(QueryToken.quoted(plan.schema)).inference_day_figures_stale LIMIT 1")
      if let stale {
        Logger(component: "query").debug(
          "day figures are being rebuilt; reading raw rows",
          ["principal": plan.identity.principal, "day": stale[0].string ?? ""])
        endTransaction(database)
        return false
      }
      try prepare(
        projection.template.statement(views: [view]), tables: projection.template.tables,
        database)
      return true
    } catch {
      cursor?.close()
      cursor = nil
      database.removeAuthorizer()
      endTransaction(database)
      Logger(component: "query").debug(
        "day figures projection failed; reading raw rows",
        ["principal": plan.identity.principal, "error": "\(error)"])
      return false
    }
  }

  /// Ends the read transaction that a projection opened, if any.
  func endTransaction(_ database: Database) {
    guard inTransaction else { return }
    inTransaction = false
    try? database.execute("COMMIT")
  }
}
