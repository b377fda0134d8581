import EdgecatCore
import EdgecatProto
import EdgecatStore

extension QuerySession {
  /// The bytes of rows after which a page is sent before it has `pageSize` rows, well below
  /// the 4 MiB message limit.
  static let pageBytes = 1 << 20
  /// The maximum bytes of one row, so that a page with it stays below the message limit.
  static let maxRowBytes = 3 << 20

  /// Returns the next page; the last one has `last` set.
  func nextPage() throws(ServiceError) -> Edgecat_Telemetry_V1_QueryResponse {
    guard let cursor else {
      throw ServiceError(code: .internal, message: "query has no open statement")
    }
    if connection.state.shouldInterrupt() {
      throw cancellation.isCancelled
        ? ServiceError(code: .cancelled, message: "query was cancelled")
        : errors.deadlineExceeded()
    }

    var response = Edgecat_Telemetry_V1_QueryResponse()
    if !columnsSent {
      response.columns = cursor.columnNames
      columnsSent = true
    }
    let pageSize = max(1, plan.limits.pageSize)
    var bytes = 0
    var truncated = false
    var done = false
    while !done && response.rows.count < pageSize && bytes < Self.pageBytes {
      if sent + Int64(response.rows.count) >= plan.limits.maxRows {
        truncated = try fetch(cursor) != nil
        done = true
      } else if let values = try fetch(cursor) {
        let size = QueryValues.estimatedBytes(values)
        guard size <= Self.maxRowBytes else {
          throw .invalidArgument(
            "row \(sent + Int64(response.rows.count) + 1) of the result has about \(size) "
              + "bytes, more than the \(Self.maxRowBytes) a row may have; select fewer or "
              + "shorter columns")
        }
        bytes += size
        response.rows.append(QueryValues.row(values))
      } else {
        done = true
      }
    }
    if !done {
      // Reads one row ahead, so that the page that ends the result is marked last.
      if sent + Int64(response.rows.count) >= plan.limits.maxRows {
        truncated = try fetch(cursor) != nil
        done = true
      } else {
        pending = try fetch(cursor)
        done = pending == nil
      }
    }
    sent += Int64(response.rows.count)
    if done {
      response.last = true
      response.truncated = truncated
      response.rowCount = sent
    }
    return response
  }

  func fetch(_ cursor: RowCursor) throws(ServiceError) -> [SQLValue]? {
    if let row = pending {
      pending = nil
      return row
    }
    do {
      return try cursor.next()
    } catch let error as StoreError {
      throw errors.runFailure(error, cancelled: cancellation.isCancelled)
    } catch {
      throw ServiceError(code: .internal, message: "query failed: \(error)")
    }
  }
}
