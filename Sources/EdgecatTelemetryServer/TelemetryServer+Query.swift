import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit
import EdgecatTelemetry

extension TelemetryServer {
  var queryMethods: [RPCMethod] {
    [
      .serverStreaming(Self.path("Query")) {
        (
          request: Edgecat_Telemetry_V1_QueryRequest, writer: ResponseStreamWriter<QueryResponse>,
          context
        ) in
        let caller = try await caller(context)
        let shown = request.sql.count > 2000 ? String(request.sql.prefix(2000)) + "…" : request.sql
        try await auditedRead(caller, "Query", table.fullName, [("sql", shown)]) {
          () throws(RPCError) in
          let limits = try queryLimits(request, caller)
          let access = try await readAccess(caller)
          try await runQuery(request.sql, limits, access, writer)
        }
      }
    ]
  }

  /// Bytes of SQL text one query may have.
  static let maxQueryBytes = 65_536

  /// Returns the page size, row cap and time cap of one query: the request's, bounded by the
  /// service's caps and by the call's deadline.
  func queryLimits(_ request: Edgecat_Telemetry_V1_QueryRequest, _ caller: Caller)
    throws(RPCError) -> QueryLimits
  {
    // The query is lexed and rewritten on the call's event loop before the time cap starts.
    guard request.sql.utf8.count <= Self.maxQueryBytes else {
      throw RPCError(
        .invalidArgument,
        "sql has \(request.sql.utf8.count) bytes; send one SELECT of at most"
          + " \(Self.maxQueryBytes) bytes")
    }
    guard request.pageSize >= 0, request.pageSize <= 10_000 else {
      throw RPCError(
        .invalidArgument,
        "page_size \(request.pageSize) is out of range; use 0 for 1000 or up to 10000 rows")
    }
    guard request.maxRows >= 0 else {
      throw RPCError(
        .invalidArgument,
        "max_rows \(request.maxRows) is negative; use 0 for the service's cap of"
          + " \(settings.queryMaxRows)")
    }
    guard request.timeoutMs >= 0 else {
      throw RPCError(
        .invalidArgument,
        "timeout_ms \(request.timeoutMs) is negative; use 0 for the service's cap of"
          + " \(settings.queryTimeoutMilliseconds) ms")
    }
    var timeout = settings.queryTimeoutMilliseconds
    if request.timeoutMs > 0 { timeout = min(timeout, request.timeoutMs) }
    if let remaining = caller.deadline?.remaining {
      let milliseconds =
        remaining.components.seconds * 1000
        + remaining.components.attoseconds / 1_000_000_000_000_000
      timeout = min(timeout, max(milliseconds, 1))
    }
    let rows =
      request.maxRows > 0 ? min(request.maxRows, settings.queryMaxRows) : settings.queryMaxRows
    return QueryLimits(
      pageSize: request.pageSize == 0 ? 1000 : Int(request.pageSize), maxRows: rows,
      timeoutMilliseconds: timeout)
  }
}

typealias QueryResponse = Edgecat_Telemetry_V1_QueryResponse

extension TelemetryServer {
  /// Runs one query as the caller sees the hosted table and writes its pages.
  func runQuery(
    _ sql: String, _ limits: QueryLimits, _ access: ReadAccess,
    _ writer: ResponseStreamWriter<QueryResponse>
  ) async throws(RPCError) {
    let pages = queries.run(
      sql: sql, limits: limits, access: [table.fullName: access.access],
      identity: access.identity)
    do {
      for try await page in pages {
        try await writer.write(page)
      }
    } catch let error as ServiceError {
      throw error.rpcError
    } catch let error as RPCError {
      throw error
    } catch is CancellationError {
      throw RPCError(.cancelled, "the query was cancelled by its caller")
    } catch {
      throw RPCError(.internal, "the query failed: \(error)")
    }
  }
}
