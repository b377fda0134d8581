import EdgecatCore
import EdgecatStore
import EdgecatTelemetry
import Testing

@Suite("Query engine") struct QueryEngineTests {
  /// Rows for the seed queries: d1 has four records in the last hour and one older, d2 one in
  /// the last hour, and two records on the day before.
  static let seedRecords: [QueryFixture.Record] = [
    .init(device: "d1", timestamp: "2030-01-15 11:10:00.000", confidence: 0.9, latency: 10),
    .init(device: "d1", timestamp: "2030-01-15 11:20:00.000", confidence: 0.8, latency: 20),
    .init(device: "d1", timestamp: "2030-01-15 11:30:00.000", confidence: 0.7, latency: 30),
    .init(device: "d1", timestamp: "2030-01-15 11:40:00.000", confidence: 0.6, latency: 40),
    .init(device: "d1", timestamp: "2030-01-15 10:30:00.000", confidence: 0.4, latency: 1000),
    .init(device: "d2", timestamp: "2030-01-15 11:50:00.000", confidence: 0.5, latency: 5),
    .init(device: "d2", timestamp: "2030-01-14 08:00:00.000", confidence: 0.2, latency: 7),
    .init(device: "d2", timestamp: "2030-01-14 09:00:00", confidence: 0.4, latency: 9),
  ]

  @Test("seed query of the last hour per device")
  func lastHourSeedQuery() async throws {
    let fixture = try QueryFixture()
    try await fixture.insert(Self.seedRecords)

    let result = try await fixture.query(
      """
      SELECT device_id, model_version,
      COUNT(*) as predictions,
      AVG(confidence) as avg_confidence,
      AVG(latency_ms) as avg_latency,
      PERCENTILE(latency_ms, 0.99) as p99_latency
      FROM production.edge_metrics.inference_logs
      WHERE timestamp > current_timestamp() - INTERVAL 1 HOUR
      GROUP BY device_id, model_version;
      """)

    #expect(
      result.columns == [
        "device_id", "model_version", "predictions", "avg_confidence", "avg_latency",
        "p99_latency",
      ])
    let rows = result.rows
    #expect(rows.count == 2)
    #expect(rows.first?[0] == "d1")
    #expect(rows.first?[1] == "3")
    #expect(rows.first?[2] == 4)
    #expect(isClose(rows.first?[3], 0.75))
    #expect(isClose(rows.first?[4], 25))
    // Sorted 10, 20, 30, 40: position 0.99 * 3 = 2.97, so 30 + 0.97 * 10.
    #expect(isClose(rows.first?[5], 39.7))
    #expect(rows.last?[0] == "d2")
    #expect(rows.last?[2] == 1)
    #expect(isClose(rows.last?[5], 5))
  }

  @Test("seed query of daily confidence")
  func dailySeedQuery() async throws {
    let fixture = try QueryFixture()
    try await fixture.insert(Self.seedRecords)

    let result = try await fixture.query(
      """
      SELECT date(timestamp) as day,
      AVG(confidence) as avg_confidence,
      STDDEV(confidence) as std_confidence
      FROM production.edge_metrics.inference_logs
      GROUP BY day
      ORDER BY day DESC LIMIT 30;
      """)

    let rows = result.rows
    #expect(rows.count == 2)
    #expect(rows.first?[0] == "2030-01-15")
    #expect(isClose(rows.first?[1], 0.65))
    // Deviations from 0.65 square to 0.175 in all; 0.175 / 5 = 0.035.
    #expect(isClose(rows.first?[2], 0.035.squareRoot()))
    #expect(rows.last?[0] == "2030-01-14")
    #expect(isClose(rows.last?[1], 0.3))
    #expect(isClose(rows.last?[2], 0.02.squareRoot()))
  }

  @Test("pages hold page size rows and the last one counts them")
  func paging() async throws {
    let fixture = try QueryFixture()
    let records = (0..<25).map { QueryFixture.Record(device: "d\($0)") }
    try await fixture.insert(records)
    let limits = QueryLimits(pageSize: 10, maxRows: 1000, timeoutMilliseconds: 10_000)

    let result = try await fixture.query(
      "SELECT device_id FROM production.edge_metrics.inference_logs", limits: limits)

    #expect(result.pages.map(\.rows.count) == [10, 10, 5])
    #expect(result.pages.map(\.last) == [false, false, true])
    #expect(result.pages[0].columns == ["device_id"])
    #expect(result.pages[1].columns.isEmpty)
    #expect(result.last?.rowCount == 25)
    #expect(result.last?.truncated == false)
  }

  @Test("page that ends the result exactly is the last")
  func exactPages() async throws {
    let fixture = try QueryFixture()
    try await fixture.insert((0..<20).map { QueryFixture.Record(device: "d\($0)") })
    let limits = QueryLimits(pageSize: 10, maxRows: 1000, timeoutMilliseconds: 10_000)

    let result = try await fixture.query(
      "SELECT device_id FROM production.edge_metrics.inference_logs", limits: limits)

    #expect(result.pages.map(\.rows.count) == [10, 10])
    #expect(result.last?.last == true)
  }

  @Test("empty result is one last page with the columns")
  func emptyResult() async throws {
    let fixture = try QueryFixture()

    let result = try await fixture.query(
      "SELECT device_id, seq FROM production.edge_metrics.inference_logs")

    #expect(result.pages.count == 1)
    #expect(result.columns == ["device_id", "seq"])
    #expect(result.last?.last == true)
    #expect(result.last?.rowCount == 0)
  }

  @Test(
    "row cap truncates the result", arguments: [(7, 7, true), (12, 12, false), (20, 12, false)])
  func rowCap(maxRows: Int64, expectedRows: Int, truncated: Bool) async throws {
    let fixture = try QueryFixture()
    try await fixture.insert((0..<12).map { QueryFixture.Record(device: "d\($0)") })
    let limits = QueryLimits(pageSize: 5, maxRows: maxRows, timeoutMilliseconds: 10_000)

    let result = try await fixture.query(
      "SELECT device_id FROM production.edge_metrics.inference_logs", limits: limits)

    #expect(result.rows.count == expectedRows)
    #expect(result.last?.truncated == truncated)
    #expect(result.last?.rowCount == Int64(expectedRows))
  }

  @Test("values map to the protobuf oneof")
  func valueKinds() async throws {
    let fixture = try QueryFixture()

    let result = try await fixture.query("SELECT NULL, 7, 2.5, 'text', x'00ff', char(97, 0, 98)")

    #expect(result.rows.first == [.null, 7, 2.5, "text", .blob([0, 255]), .blob([97, 0, 98])])
  }

  @Test("user WITH clause joins the generated views")
  func userWith() async throws {
    let fixture = try QueryFixture()
    try await fixture.insert(Self.seedRecords)

    let result = try await fixture.query(
      """
      WITH recent AS (
        SELECT device_id, latency_ms FROM production.edge_metrics.inference_logs
        WHERE timestamp >= '2030-01-15'),
      slow AS (SELECT device_id FROM recent WHERE latency_ms > 25)
      SELECT device_id, count(*) FROM slow GROUP BY device_id ORDER BY device_id
      """)

    #expect(result.rows == [["d1", 3]])
  }

  @Test("recursive WITH clause keeps RECURSIVE first")
  func recursiveWith() async throws {
    let fixture = try QueryFixture()
    try await fixture.insert(Self.seedRecords)

    let result = try await fixture.query(
      """
      WITH RECURSIVE hours(h) AS (SELECT 0 UNION ALL SELECT h + 1 FROM hours WHERE h < 2)
      SELECT h, (SELECT count(*) FROM production.edge_metrics.inference_logs
        WHERE date(timestamp) = '2030-01-15'
          AND CAST(strftime('%H', timestamp) AS INTEGER) = h + 10)
      FROM hours
      """)

    #expect(result.rows == [[0, 1], [1, 5], [2, 0]])
  }

  @Test(
    "quoted and mixed-case names",
    arguments: [
      "SELECT count(*) FROM PRODUCTION.Edge_Metrics.INFERENCE_LOGS",
      "SELECT count(*) FROM \"production\".\"edge_metrics\".\"inference_logs\"",
      "SELECT count(*) FROM `Production`.[edge_metrics].\"Inference_Logs\"",
      "SELECT count(*) FROM production . edge_metrics . inference_logs l",
      "select COUNT(*) from production.edge_metrics.inference_logs as l where l.seq > 0",
      "SELECT count(inference_logs.device_id) FROM production.edge_metrics.inference_logs",
      "SELECT count(*) FROM production.edge_metrics.inference_logs/* comment */;",
    ])
  func quotedNames(sql: String) async throws {
    let fixture = try QueryFixture()
    try await fixture.insert(Self.seedRecords)

    let result = try await fixture.query(sql)

    #expect(result.rows == [[8]])
  }

  @Test("syntax error keeps SQLite's message without generated SQL")
  func syntaxError() async throws {
    let fixture = try QueryFixture()

    let error = await fixture.error(
      "SELECT device_id, FROM production.edge_metrics.inference_logs")

    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains("near \"FROM\": syntax error") == true)
    #expect(error?.message.contains("at character 19") == true)
    #expect(error?.message.contains("edgecat_source") == false)
    #expect(error?.message.contains("\"device_id\", \"timestamp\"") == false)
  }

  @Test("unknown column lists the table's columns")
  func unknownColumn() async throws {
    let fixture = try QueryFixture()

    let error = await fixture.error("SELECT nosuch FROM production.edge_metrics.inference_logs")

    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains("no such column: nosuch") == true)
    #expect(error?.message.contains("device_id, timestamp") == true)
  }
}

extension QueryEngineTests {
  @Test(
    "lexical edge cases keep their meaning",
    arguments: [
      ("SELECT 1-/**/-1", SQLValue.integer(2)),
      ("SELECT 1 -- trailing comment", 1),
      ("SELECT 'inference_logs'", "inference_logs"),
      ("SELECT 'it''s'", "it's"),
      ("SELECT length(x'0102')", 2),
      ("SELECT \"count\" FROM (SELECT 3 AS \"count\")", 3),
      ("SELECT 1 AS `interval`", 1),
      (
        "VALUES ((SELECT count(*) FROM production.edge_metrics.inference_logs))",
        SQLValue.integer(8)
      ),
      (
        """
        SELECT count(*) FROM production.edge_metrics.inference_logs
        WHERE device_id <> 'inference_logs' AND model_version != 'x'
        """,
        8
      ),
    ])
  func lexicalEdges(sql: String, expected: SQLValue) async throws {
    let fixture = try QueryFixture()
    try await fixture.insert(Self.seedRecords)

    let result = try await fixture.query(sql)

    #expect(result.rows.first?.first == expected)
  }

  @Test("access entry matches the table name in any case")
  func accessKeyCase() async throws {
    let fixture = try QueryFixture()
    try await fixture.insert(Self.seedRecords)
    let access = [
      "Production.Edge_Metrics.Inference_Logs": TableAccess(rowFilter: "device_id = 'd2'")
    ]

    let result = try await fixture.query(
      "SELECT count(*) FROM production.edge_metrics.inference_logs", access: access)

    #expect(result.rows == [[3]])
  }

  @Test("two hosted references share one view")
  func selfJoin() async throws {
    let fixture = try QueryFixture()
    try await fixture.insert(Self.seedRecords)

    let result = try await fixture.query(
      """
      SELECT count(*) FROM production.edge_metrics.inference_logs a
      JOIN production.edge_metrics.inference_logs b ON a.device_id = b.device_id
      WHERE a.device_id = 'd2'
      """)

    #expect(result.rows == [[9]])
  }
}
