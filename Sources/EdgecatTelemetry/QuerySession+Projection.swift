import EdgecatLog
import EdgecatStore

extension QuerySession {
  /// Opens the cursor of the query's day figures projection and returns true, or returns
  /// false with the connection as it was, so that the query runs over the raw rows, which report
  /// any error in the author's terms.
  func prepareProjection(_ projection: DayFiguresProjection, _ database: Database) -> Bool {
    let view = DayFiguresView.select(schema: plan.schema)
    do {
      try prepare(
        projection.template.statement(views: [view]), tables: projection.template.tables,
        database)
      return true
    } catch {
      cursor?.close()
      cursor = nil
      database.removeAuthorizer()
      Logger(component: "query").debug(
        "day figures projection failed; reading raw rows",
        ["principal": plan.identity.principal, "error": error])
      return false
    }
  }
}
