import EdgecatProto

/// `edgecat query`: one read-only SQL SELECT over the telemetry service's hosted tables.
enum QueryCommand {
  static let noun = Noun(
    "query", "run one SQL SELECT over the telemetry tables",
    command: Verb(
      "query",
      "run one SELECT in SQLite's dialect over the hosted tables, such as"
        + " CATALOG.edge_metrics.inference_logs, as you see them after row filters and masks",
      arguments: [
        ArgumentSpec("SQL", optional: true, help: "the SELECT (default: read from -f or stdin)")
      ],
      flags: [
        FlagSpec("file", short: "f", value: "PATH", help: "file holding the SELECT"),
        FlagSpec(
          "max-rows", value: "N",
          help: "return at most N rows, below the service's cap (default: the service's, 100000)"),
        FlagSpec(
          "query-timeout", value: "SECONDS",
          help: "stop the query after this many seconds, below the service's cap (default: the"
            + " service's, 10)"),
      ],
      details: """
        Beyond SQLite, percentile(x, p) with p from 0 to 1, stddev(x), current_timestamp() and
        `- INTERVAL 1 HOUR` work. JSON output is an array of objects, one per row; a column
        name that repeats, as in a self-join, gets _2, _3 and so on added in its key.
        example:
          edgecat query "SELECT device_id, percentile(latency_ms, 0.99) AS p99
            FROM production.edge_metrics.inference_logs GROUP BY device_id"
        """,
      run: run))

  static func run(_ invocation: Invocation) async throws -> CommandOutput {
    let arguments = invocation.arguments
    var request = Edgecat_Telemetry_V1_QueryRequest()
    request.sql = try readSQL(invocation)
    request.maxRows = Int64(try arguments.integer("max-rows", in: 1...1_000_000) ?? 0)
    request.timeoutMs = Int64(try arguments.integer("query-timeout", in: 1...3600) ?? 0) * 1000
    let result = try await QueryResult.fetch(request, clients: invocation.clients)
    if result.truncated {
      // Without --max-rows the cap is the service's, which no flag raises.
      let fix =
        request.maxRows > 0
        ? "add LIMIT or raise --max-rows" : "add LIMIT or a narrower WHERE clause"
      invocation.console.writeError(
        "edgecat: the row cap cut the result at \(result.rows.count) rows; \(fix)\n")
    }
    let columns = zip(result.keys, result.columns).map { TableColumn($0, header: $1) }
    return .list(result.objects, columns: columns)
  }
}

/// The rows of one query, collected from every page of the stream.
struct QueryResult {
  var columns: [String] = []
  var rows: [[JSONValue]] = []
  var truncated = false

  /// Runs `request` and reads every page.
  static func fetch(_ request: Edgecat_Telemetry_V1_QueryRequest, clients: ServiceClients)
    async throws -> QueryResult
  {
    let pages: [Edgecat_Telemetry_V1_QueryResponse] = try await clients.serverStream(
      .telemetry, "Query", request)
    var result = QueryResult()
    for page in pages {
      if !page.columns.isEmpty { result.columns = page.columns }
      result.rows += page.rows.map { $0.values.map(TelemetryJSON.value) }
      if page.last { result.truncated = page.truncated }
    }
    return result
  }

  /// The key of each column in the row objects: its name, with `_2`, `_3` and so on added to a
  /// name that an earlier column already has, so that a repeated name, as a self-join gives,
  /// loses no value. A suffixed key never equals another column's name.
  var keys: [String] {
    let names = Set(columns)
    var used: Set<String> = []
    var keys: [String] = []
    for name in columns {
      var key = name
      var suffix = 2
      while used.contains(key) || (key != name && names.contains(key)) {
        key = "\(name)_\(suffix)"
        suffix += 1
      }
      used.insert(key)
      keys.append(key)
    }
    return keys
  }

  /// Each row as an object with the columns' `keys`.
  var objects: [JSONValue] {
    let keys = keys
    return rows.map { row in .object(Array(zip(keys, row))) }
  }

  /// The rows as a table for people.
  var table: TextTable {
    TextTable(headers: columns, rows: rows.map { $0.map(\.cellText) })
  }
}
