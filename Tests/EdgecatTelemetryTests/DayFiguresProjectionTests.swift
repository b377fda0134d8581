import EdgecatCore
import EdgecatStore
import Testing

@testable import EdgecatTelemetry

@Suite("Day figures projection") struct DayFiguresProjectionTests {
  static let table = "production.edge_metrics.inference_logs"
  /// A caller whose row filter passes every row, so that its queries read the raw rows.
  static let filtered = [table: TableAccess(rowFilter: "1 = 1")]

  /// Queries that the day figures can compute.
  static let projected = [
    """
    SELECT date(timestamp) as day, AVG(confidence) as avg_confidence,
    STDDEV(confidence) as std_confidence FROM production.edge_metrics.inference_logs
    GROUP BY day ORDER BY day DESC LIMIT 30;
    """,
    "SELECT count(*), avg(latency_ms), stddev_pop(latency_ms), total(confidence)"
      + " FROM production.edge_metrics.inference_logs",
    "SELECT t.device_id, model_version, date(t.timestamp), count(confidence), sum(confidence),"
      + " round(avg(t.latency_ms), 3) AS lat FROM production.edge_metrics.inference_logs AS t"
      + " GROUP BY 1, 2, 3 ORDER BY lat DESC, 1",
    "SELECT device_id, stddev_samp(latency_ms) s FROM production.edge_metrics.inference_logs"
      + " WHERE model_version = '2' AND date(timestamp) >= '2030-01-14'"
      + " GROUP BY device_id HAVING count(*) > 3 ORDER BY device_id LIMIT 2 OFFSET 1",
    "SELECT model_name, CASE WHEN avg(confidence) > 0.5 THEN 'high' ELSE 'low' END AS level,"
      + " count(*) AS n FROM production.edge_metrics.inference_logs GROUP BY model_name",
    "SELECT date(timestamp) AS day FROM production.edge_metrics.inference_logs GROUP BY day",
    "SELECT sum(confidence), count(*) FROM production.edge_metrics.inference_logs"
      + " WHERE device_id = 'nobody'",
    // A number compared with the day compares as a number with text, and with the version as
    // text, in both forms.
    "SELECT count(*) FROM production.edge_metrics.inference_logs"
      + " WHERE date(timestamp) >= 20300114 AND model_version = 2",
  ]

  /// Queries that need the raw rows.
  static let rawOnly = [
    "SELECT * FROM production.edge_metrics.inference_logs",
    "SELECT device_id FROM production.edge_metrics.inference_logs",
    "SELECT min(confidence) FROM production.edge_metrics.inference_logs",
    "SELECT percentile(latency_ms, 0.99) FROM production.edge_metrics.inference_logs",
    "SELECT avg(confidence * 2) FROM production.edge_metrics.inference_logs",
    "SELECT count(DISTINCT device_id) FROM production.edge_metrics.inference_logs",
    "SELECT count(*) FROM production.edge_metrics.inference_logs WHERE confidence > 0.5",
    "SELECT count(*) FROM production.edge_metrics.inference_logs"
      + " WHERE timestamp > current_timestamp() - INTERVAL 1 HOUR",
    "SELECT device_id, count(*) FROM production.edge_metrics.inference_logs",
    "SELECT region, count(*) FROM production.edge_metrics.inference_logs GROUP BY region",
    "SELECT DISTINCT device_id FROM production.edge_metrics.inference_logs",
    "SELECT count(*) OVER () FROM production.edge_metrics.inference_logs",
    "SELECT count(*) AS device_id FROM production.edge_metrics.inference_logs",
    "SELECT count(*) AS \"_edgecat_day\" FROM production.edge_metrics.inference_logs",
    "SELECT count(*) FROM production.edge_metrics.inference_logs a"
      + " JOIN production.edge_metrics.inference_logs b ON a.seq = b.seq",
    "SELECT count(*) FROM production.edge_metrics.inference_logs"
      + " WHERE device_id IN (SELECT device_id FROM production.edge_metrics.inference_logs)",
    "WITH x AS (SELECT 1) SELECT count(*) FROM production.edge_metrics.inference_logs",
    "SELECT count(*), random() FROM production.edge_metrics.inference_logs",
    "SELECT date(timestamp, '+1 day'), count(*) FROM production.edge_metrics.inference_logs"
      + " GROUP BY 1",
  ]

  static func records() -> [QueryFixture.Record] {
    var generator = SplitMix(state: 3)
    return (0..<400).map { _ in
      let day = Int.random(in: 10...15, using: &generator)
      let minute = Int.random(in: 0..<1440, using: &generator)
      return QueryFixture.Record(
        device: "d\(Int.random(in: 1...5, using: &generator))",
        timestamp:
          "2030-01-\(day) \(String(format2: minute / 60)):\(String(format2: minute % 60)):00.000",
        version: String(Int.random(in: 1...2, using: &generator)),
        confidence: Int.random(in: 0..<8, using: &generator) == 0
          ? nil : Double.random(in: 0...1, using: &generator),
        latency: Double.random(in: 1...100, using: &generator),
        region: Bool.random(using: &generator) ? "eu" : "us")
    }
  }

  static func matches(_ sql: String, _ fixture: QueryFixture) throws -> Bool {
    try fixture.engine.plan(
      sql: sql, limits: QueryFixture.limits, access: QueryFixture.unrestricted,
      identity: QueryFixture.admin
    ).projection != nil
  }

  @Test("projectable queries match the raw rows", arguments: projected)
  func projectedMatchesRaw(sql: String) async throws {
    let fixture = try QueryFixture()
    try await fixture.insert(Self.records())
    #expect(try Self.matches(sql, fixture))

    let fromFigures = try await fixture.query(sql)
    let fromRows = try await fixture.query(sql, access: Self.filtered)

    #expect(fromFigures.columns == fromRows.columns)
    #expect(fromFigures.rows.count == fromRows.rows.count)
    #expect(!fromRows.rows.isEmpty)
    for (row, expected) in zip(fromFigures.rows, fromRows.rows) {
      #expect(row.count == expected.count)
      for (value, target) in zip(row, expected) {
        if case .real(let number) = target {
          #expect(value.double.map { abs($0 - number) <= 1e-9 * max(1, abs(number)) } == true)
        } else {
          #expect(value == target)
        }
      }
    }
  }

  @Test("other queries read raw rows", arguments: rawOnly)
  func otherQueriesReadRawRows(sql: String) throws {
    let fixture = try QueryFixture()
    #expect(try !Self.matches(sql, fixture))
  }

  @Test("drift query reads no raw row")
  func driftQueryReadsFigures() async throws {
    let fixture = try QueryFixture()
    try await fixture.insert(Self.records())
    // With the raw rows gone but the figures kept, only the projection still returns rows.
    try await fixture.store.write { try $0.execute("DELETE FROM inference_logs") }

    let result = try await fixture.query(Self.projected[0])

    #expect(result.columns == ["day", "avg_confidence", "std_confidence"])
    #expect(result.rows.count == 6)
    #expect(result.rows.first?[0] == "2030-01-15")
  }

  @Test("filtered and masked readers get raw rows")
  func restrictedReadersGetRawRows() async throws {
    let fixture = try QueryFixture()
    try await fixture.insert(Self.records())
    let sql = "SELECT count(*), avg(confidence) FROM production.edge_metrics.inference_logs"
    let all = try await fixture.query(sql)
    let everyone = all.rows.first?[0].int64 ?? 0

    let europe = try await fixture.query(
      sql, access: [Self.table: TableAccess(rowFilter: "region = 'eu'")])
    let masked = try await fixture.query(
      sql, access: [Self.table: TableAccess(masks: ["confidence": "0"])])

    let european = Self.records().filter { $0.region == "eu" }.count
    #expect(europe.rows.first?[0] == .integer(Int64(european)))
    #expect(european < everyone)
    #expect(masked.rows.first?[0] == .integer(everyone))
    #expect(masked.rows.first?[1] == .real(0))
  }
}

extension String {
  /// Two decimal digits with a leading zero.
  fileprivate init(format2 value: Int) {
    self = value < 10 ? "0\(value)" : "\(value)"
  }
}

@Suite("Day figures projection on broken queries") struct DayFiguresProjectionFuzzTests {
  /// Every prefix of each query, and each query with one token left out, goes through the
  /// projection's parser: it must return without trapping, whatever it decides.
  @Test("parser survives truncated queries")
  func truncatedQueries() throws {
    let fixture = try QueryFixture()
    let queries = DayFiguresProjectionTests.projected + DayFiguresProjectionTests.rawOnly
    var tried = 0
    for sql in queries {
      guard let tokens = try? QueryLexer.tokens(of: sql) else { continue }
      var variants: [[QueryToken]] = []
      for end in 0...tokens.count { variants.append(Array(tokens[..<end])) }
      for skipped in tokens.indices {
        var shorter = tokens
        shorter.remove(at: skipped)
        variants.append(shorter)
      }
      for variant in variants {
        let sql = QueryLexer.join(variant).sql
        _ = try? fixture.engine.plan(
          sql: sql, limits: QueryFixture.limits, access: QueryFixture.unrestricted,
          identity: QueryFixture.admin)
        tried += 1
      }
    }
    #expect(tried > 1000)
  }
}
