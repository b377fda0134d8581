import EdgecatCore
import EdgecatStore
import Testing

@testable import EdgecatTelemetry

/// The column names a query returns. SQLite 3.40.1 names a result column without an alias after
/// its text as written (comments and spacing kept, the ends trimmed), and a column reference
/// after the column. The rewrite must not leak its own text into those names.
@Suite("Query column names") struct QueryColumnNameTests {
  static let table = QueryFixture.tableName

  /// One query and the column names SQLite gives the same text over a plain table.
  struct Case: CustomTestStringConvertible, Sendable {
    let sql: String
    let columns: [String]
    var testDescription: String { sql }
  }

  static let cases: [Case] = [
    Case(sql: "SELECT current_timestamp() FROM \(table)", columns: ["current_timestamp()"]),
    Case(sql: "SELECT current_timestamp", columns: ["current_timestamp"]),
    Case(
      sql: "SELECT current_timestamp() - INTERVAL 1 HOUR FROM \(table)",
      columns: ["current_timestamp() - INTERVAL 1 HOUR"]),
    Case(
      sql: "SELECT timestamp + INTERVAL '2' DAYS, current_date, current_time FROM \(table)",
      columns: ["timestamp + INTERVAL '2' DAYS", "current_date", "current_time"]),
    Case(
      sql: "SELECT current_timestamp() now_utc, current_date 'today' FROM \(table)",
      columns: ["now_utc", "today"]),
    Case(
      sql: "SELECT current_timestamp() - INTERVAL 1 HOUR hour_ago FROM \(table)",
      columns: ["hour_ago"]),
    Case(sql: "SELECT current_date window FROM \(table)", columns: ["window"]),
    Case(sql: "SELECT l.device_id FROM \(table) l", columns: ["device_id"]),
    Case(sql: "SELECT l\n  .  device_id FROM \(table) AS l", columns: ["device_id"]),
    Case(sql: "SELECT inference_logs.seq FROM \(table)", columns: ["seq"]),
    Case(sql: "SELECT (l.\"device_id\") FROM \(table) l", columns: ["device_id"]),
    Case(
      sql: "SELECT percentile(latency_ms, 0.99) FROM \(table)",
      columns: ["percentile(latency_ms, 0.99)"]),
    Case(
      sql: "SELECT percentile(latency_ms,\n  0.99) FROM \(table)",
      columns: ["percentile(latency_ms,\n  0.99)"]),
    Case(
      sql: "SELECT latency_ms /* ms */ + 1 FROM \(table)", columns: ["latency_ms /* ms */ + 1"]),
    Case(
      sql: "SELECT latency_ms + 1 -- plus one\nFROM \(table)",
      columns: ["latency_ms + 1 -- plus one"]),
    Case(sql: "SELECT 1+1 /* two */", columns: ["1+1 /* two */"]),
    Case(sql: "SELECT current_timestamp() ;", columns: ["current_timestamp()"]),
    Case(sql: "SELECT x'00' /* blob */, seq'q' FROM \(table)", columns: ["x'00' /* blob */", "q"]),
    Case(
      sql: "SELECT device_id  COLLATE nocase FROM \(table)",
      columns: ["device_id  COLLATE nocase"]),
    Case(
      sql: "SELECT * FROM (SELECT (device_id)  COLLATE nocase, seq /* s */ COLLATE binary FROM "
        + "\(table))",
      columns: ["device_id", "seq"]),
    Case(sql: "SELECT * FROM \(table)", columns: InferenceLogColumns.names),
    Case(sql: "SELECT l.* FROM \(table) AS l", columns: InferenceLogColumns.names),
    Case(
      sql: "SELECT current_timestamp() AS now_utc, current_date today, count(*) \"n\" "
        + "FROM \(table)",
      columns: ["now_utc", "today", "n"]),
    Case(
      sql: "SELECT latency_ms * 2, upper(device_id), count(*) FROM \(table)",
      columns: ["latency_ms * 2", "upper(device_id)", "count(*)"]),
    Case(
      sql: "SELECT \"latency_ms\"  +  1 FROM \(table)", columns: ["\"latency_ms\"  +  1"]),
    Case(
      sql: "SELECT IF(latency_ms > 10, 'slow', 'fast'), CAST(timestamp AS DATE) FROM \(table)",
      columns: ["IF(latency_ms > 10, 'slow', 'fast')", "CAST(timestamp AS DATE)"]),
    Case(sql: "SELECT DISTINCT current_date FROM \(table)", columns: ["current_date"]),
    Case(
      sql: "SELECT row_number() OVER (ORDER BY  seq) FROM \(table)",
      columns: ["row_number() OVER (ORDER BY  seq)"]),
    Case(
      sql: "SELECT device_id IS NOT DISTINCT FROM  'd1' FROM \(table)",
      columns: ["device_id IS NOT DISTINCT FROM  'd1'"]),
    Case(
      sql: "SELECT CASE WHEN seq > 1 THEN current_date END FROM \(table)",
      columns: ["CASE WHEN seq > 1 THEN current_date END"]),
    Case(
      sql: "SELECT CASE WHEN seq > 1 THEN current_date END end FROM \(table)", columns: ["end"]),
    Case(
      sql: "SELECT * FROM (SELECT current_timestamp(), device_id FROM \(table))",
      columns: ["current_timestamp()", "device_id"]),
    Case(
      sql: "WITH recent AS (SELECT device_id, timestamp > current_timestamp() - INTERVAL 1 DAY "
        + "FROM \(table)) SELECT * FROM recent",
      columns: ["device_id", "timestamp > current_timestamp() - INTERVAL 1 DAY"]),
    Case(
      sql: "SELECT t FROM (SELECT current_timestamp() AS t FROM \(table))", columns: ["t"]),
    Case(
      sql: "SELECT (SELECT max(timestamp) FROM \(table)) FROM \(table)",
      columns: ["(SELECT max(timestamp) FROM \(table))"]),
    Case(
      sql: "SELECT seq FROM \(table) WHERE timestamp IN "
        + "(SELECT current_timestamp() - INTERVAL 1 HOUR)",
      columns: ["seq"]),
    Case(
      sql: "SELECT current_timestamp() UNION ALL SELECT current_date",
      columns: ["current_timestamp()"]),
    Case(
      sql: "SELECT 'a' AS kind UNION SELECT current_date ORDER BY 1", columns: ["kind"]),
  ]

  @Test("names match the author's text", arguments: cases)
  func columnNames(_ query: Case) async throws {
    let fixture = try QueryFixture()
    try await fixture.insert([QueryFixture.Record()])

    let result = try await fixture.query(query.sql)

    #expect(result.columns == query.columns)
  }

  static let rewriter = QueryRewriter(
    tables: [QueryFixture.table], sourceSchema: "edgecat_source_test", now: QueryFixture.now)

  @Test("alias quotes double quotes in the text")
  func quotedAlias() throws {
    let template = try Self.rewriter.rewrite("SELECT \"seq\"  +  1 FROM \(Self.table)")
    let sql = QueryLexer.join(template.body).sql

    #expect(sql.hasPrefix("SELECT \"seq\" + 1 AS \"\"\"seq\"\"  +  1\" FROM"))
  }

  @Test("unchanged text gets no alias")
  func unchangedText() throws {
    let template = try Self.rewriter.rewrite("SELECT seq + 1, l . seq FROM \(Self.table) l")
    let sql = QueryLexer.join(template.body).sql

    #expect(sql.hasPrefix("SELECT seq + 1, l . seq FROM"))
  }

  @Test("nested aliases stay within query size")
  func nestedAliasBudget() throws {
    var sql = "SELECT current_date || '" + String(repeating: "a", count: 1000) + "'"
    for _ in 0..<10 { sql = "SELECT (" + sql + ")" }

    let template = try Self.rewriter.rewrite(sql)
    let rewritten = QueryLexer.join(template.body).sql

    #expect(rewritten.utf8.count <= 3 * sql.utf8.count)
    #expect(rewritten.hasSuffix(" AS " + QueryToken.quoted(String(sql.dropFirst(7)))))
  }

  @Test("rewritten values keep the rows")
  func rewrittenValues() async throws {
    let fixture = try QueryFixture()
    try await fixture.insert([QueryFixture.Record()])

    let result = try await fixture.query(
      "SELECT current_timestamp(), current_timestamp() - INTERVAL 1 HOUR, seq /* s */ FROM "
        + "\(Self.table)")

    #expect(result.rows.first == ["2030-01-15 12:00:00.000", "2030-01-15 11:00:00.000", 1])
  }

  @Test("many rewritten columns keep names and values")
  func manyRewrittenColumns() async throws {
    let fixture = try QueryFixture()
    let items = (0..<500).map { index in
      index % 2 == 0 ? "CAST(CAST(now() AS TIMESTAMP) AS DATE)" : "now() -  INTERVAL \(index) HOUR"
    }

    let result = try await fixture.query("SELECT " + items.joined(separator: ", "))

    #expect(result.columns == items)
    let row = try #require(result.rows.first)
    #expect(row.count == 500)
    #expect(row[0] == "2030-01-15")
    #expect(row[1] == "2030-01-15 11:00:00.000")
    #expect(row[498] == "2030-01-15")
    #expect(row[499] == "2029-12-25 17:00:00.000")
  }

  @Test("projected query keeps the names of its text")
  func projectedNames() async throws {
    let fixture = try QueryFixture()
    try await fixture.insert([QueryFixture.Record()])
    let sql =
      "SELECT date(timestamp) AS day, AVG(confidence) /* mean */, COUNT( * ) FROM "
      + "\(Self.table) GROUP BY day"
    let plan = try fixture.engine.plan(
      sql: sql, limits: QueryFixture.limits, access: QueryFixture.unrestricted,
      identity: QueryFixture.admin)
    #expect(plan.projection != nil)

    let result = try await fixture.query(sql)

    #expect(result.columns == ["day", "AVG(confidence) /* mean */", "COUNT( * )"])
  }
}
