import EdgecatCore
import EdgecatStore

extension QueryEngine {
  /// Runs `body` on a query connection, in one read transaction, with `source` holding the
  /// caller's view of `table` (row filter and masks applied) and the identity functions bound
  /// to `identity`. `source` is a parenthesized SELECT with the table's columns, usable as
  /// `FROM \(source) AS v` or `WITH v AS \(source)`. For metrics computed from rows; `body`
  /// runs without the authorizer and the time cap, so it must be service code, not a query.
  /// Throws FAILED_PRECONDITION when the filter or a mask cannot be applied, and what `body`
  /// throws.
  public func withView<T: Sendable>(
    of table: HostedTable, _ access: TableAccess, for identity: QueryIdentity,
    _ body: @escaping @Sendable (Database, String) throws(ServiceError) -> T
  ) async throws(ServiceError) -> T {
    let now = clock()
    let schema = self.schema
    let checked = self.checked
    let connection = await pool.acquire()
    let result: Result<T, ServiceError>
    do {
      result = try await connection.thread.run { database in
        let state = connection.state
        state.identity = identity
        defer { state.reset() }
        return Result { () throws(ServiceError) in
          let select = try QueryView.select(
            of: table, access: access, schema: schema, now: now, checked: checked)
          return try Self.inReadTransaction(database) { () throws(ServiceError) in
            try body(database, "(" + select + ")")
          }
        }
      }
    } catch {
      pool.release(connection)
      throw ServiceError(code: .internal, message: "query engine is closed")
    }
    pool.release(connection)
    return try result.get()
  }

  private static func inReadTransaction<T>(
    _ database: Database, _ body: () throws(ServiceError) -> T
  ) throws(ServiceError) -> T {
    do {
      try database.execute("BEGIN")
    } catch {
      throw .storage(error, operation: "BEGIN", database: "telemetry")
    }
    let value: T
    do {
      value = try body()
    } catch {
      try? database.execute("ROLLBACK")
      throw error
    }
    do {
      try database.execute("COMMIT")
    } catch {
      throw .storage(error, operation: "COMMIT", database: "telemetry")
    }
    return value
  }
}
