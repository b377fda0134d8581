import EdgecatCore
import EdgecatStore
import EdgecatTelemetry
import Testing

@Suite("Query functions and caps") struct QueryFunctionTests {
  static func values(_ numbers: [Double?]) -> String {
    numbers.map { $0.map { "(\($0))" } ?? "(NULL)" }.joined(separator: ", ")
  }

  @Test(
    "percentile interpolates between ranks",
    arguments: [
      ([1, 2, 3, 4], 0.5, 2.5),
      ([1, 2, 3, 4], 0.0, 1.0),
      ([1, 2, 3, 4], 1.0, 4.0),
      ([10, 20, 30, 40, 50], 0.9, 46.0),
      ([5, 1, 4, 2, 3], 0.25, 2.0),
      ([7], 0.99, 7.0),
      ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.99, 9.91),
    ] as [([Double], Double, Double)])
  func percentile(numbers: [Double], p: Double, expected: Double) async throws {
    let fixture = try QueryFixture()

    let result = try await fixture.query(
      "SELECT percentile(column1, \(p)) FROM (VALUES \(Self.values(numbers + [nil])))")

    #expect(isClose(result.rows.first?[0], expected))
  }

  @Test("stddev is the sample standard deviation")
  func standardDeviation() async throws {
    let fixture = try QueryFixture()

    // Mean 5; squared deviations 9, 1, 1, 1, 0, 0, 4, 16 sum to 32; 32 / 7 for the sample.
    let result = try await fixture.query(
      """
      SELECT stddev(column1), stddev_samp(column1), stddev_pop(column1)
      FROM (VALUES \(Self.values([2, 4, 4, 4, 5, 5, 7, 9, nil])))
      """)

    #expect(isClose(result.rows.first?[0], (32.0 / 7).squareRoot()))
    #expect(isClose(result.rows.first?[1], (32.0 / 7).squareRoot()))
    #expect(isClose(result.rows.first?[2], 2))
  }

  @Test("aggregates of too few values are NULL")
  func emptyAggregates() async throws {
    let fixture = try QueryFixture()

    let result = try await fixture.query(
      """
      SELECT percentile(latency_ms, 0.5), stddev(latency_ms), stddev_pop(latency_ms)
      FROM production.edge_metrics.inference_logs
      """)
    let single = try await fixture.query("SELECT stddev(1), stddev_pop(1)")

    #expect(result.rows == [[.null, .null, .null]])
    #expect(single.rows == [[.null, 0.0]])
  }

  @Test("percentile outside 0 to 1 is invalid")
  func percentileRange() async throws {
    let fixture = try QueryFixture()

    let error = await fixture.error("SELECT percentile(column1, 99) FROM (VALUES (1))")

    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains("from 0 to 1") == true)
  }

  @Test(
    "INTERVAL units",
    arguments: [
      ("30 SECONDS", "2030-01-15 11:59:30.000"),
      ("1 SECOND", "2030-01-15 11:59:59.000"),
      ("5 MINUTE", "2030-01-15 11:55:00.000"),
      ("2 hours", "2030-01-15 10:00:00.000"),
      ("1 DAY", "2030-01-14 12:00:00.000"),
      ("'3' DAYS", "2030-01-12 12:00:00.000"),
      ("2 WEEKS", "2030-01-01 12:00:00.000"),
      ("1 MONTH", "2029-12-15 12:00:00.000"),
      ("1 YEAR", "2029-01-15 12:00:00.000"),
      ("1 HOUR 30 MINUTES", "2030-01-15 10:30:00.000"),
      ("-1 DAY", "2030-01-16 12:00:00.000"),
    ])
  func intervalUnits(interval: String, expected: String) async throws {
    let fixture = try QueryFixture()

    let result = try await fixture.query("SELECT current_timestamp() - INTERVAL \(interval)")

    #expect(result.rows == [[.text(expected)]])
  }

  @Test("INTERVAL adds to columns and parenthesized times")
  func intervalOperands() async throws {
    let fixture = try QueryFixture()
    try await fixture.insert([.init(timestamp: "2030-01-15 11:30:00.000")])

    let result = try await fixture.query(
      """
      SELECT timestamp + INTERVAL 1 DAY, l.timestamp - INTERVAL 90 MINUTES,
        (now()) + INTERVAL 1 WEEK, datetime(timestamp) + INTERVAL 1 HOUR
      FROM production.edge_metrics.inference_logs l
      """)

    #expect(
      result.rows == [
        [
          "2030-01-16 11:30:00.000", "2030-01-15 10:00:00.000", "2030-01-22 12:00:00.000",
          "2030-01-15 12:30:00.000",
        ]
      ])
  }

  @Test(
    "bad INTERVAL is invalid",
    arguments: [
      "SELECT INTERVAL 1 HOUR", "SELECT now() - INTERVAL 1 FORTNIGHT",
      "SELECT now() - INTERVAL 1.5 MONTHS", "SELECT now() - INTERVAL HOUR",
    ])
  func badInterval(sql: String) async throws {
    let fixture = try QueryFixture()

    let error = await fixture.error(sql)

    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains("INTERVAL") == true)
  }

  @Test("current_timestamp() is the engine clock")
  func currentTimestamp() async throws {
    let fixture = try QueryFixture()

    let result = try await fixture.query(
      "SELECT current_timestamp(), CURRENT_TIMESTAMP, now(), current_date, current_time()")

    #expect(
      result.rows == [
        [
          "2030-01-15 12:00:00.000", "2030-01-15 12:00:00.000", "2030-01-15 12:00:00.000",
          "2030-01-15", "12:00:00",
        ]
      ])
  }

  @Test("time cap stops a runaway cross join")
  func runawayCrossJoin() async throws {
    let fixture = try QueryFixture()
    try await fixture.insert((0..<10).map { QueryFixture.Record(device: "d\($0)") })
    let limits = QueryLimits(pageSize: 100, maxRows: 100, timeoutMilliseconds: 200)
    let joins = (1...10).map { "production.edge_metrics.inference_logs t\($0)" }

    let error = await fixture.error(
      "SELECT count(*) FROM " + joins.joined(separator: ", "), limits: limits)

    #expect(error?.code == .deadlineExceeded)
    #expect(error?.message.contains("200 ms") == true)
  }

  static let endless =
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT max(x) FROM n"

  @Test("time cap stops an endless recursive query")
  func endlessRecursion() async throws {
    let fixture = try QueryFixture()
    let limits = QueryLimits(pageSize: 100, maxRows: 100, timeoutMilliseconds: 100)

    let error = await fixture.error(
      "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT max(x) FROM n",
      limits: limits)

    #expect(error?.code == .deadlineExceeded)
  }

  @Test("connection serves the next query after the time cap")
  func reuseAfterCap() async throws {
    let fixture = try QueryFixture(connections: 1)
    let limits = QueryLimits(pageSize: 100, maxRows: 100, timeoutMilliseconds: 100)
    _ = await fixture.error(
      "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT max(x) FROM n",
      limits: limits)

    let result = try await fixture.query("SELECT current_user()")

    #expect(result.rows == [["admin@example.com"]])
  }

  @Test("dropped stream gives its connection back")
  func droppedStream() async throws {
    let fixture = try QueryFixture(connections: 1)
    try await fixture.insert((0..<30).map { QueryFixture.Record(device: "d\($0)") })
    let limits = QueryLimits(pageSize: 10, maxRows: 100, timeoutMilliseconds: 10_000)
    do {
      var iterator = fixture.engine.run(
        sql: "SELECT device_id FROM production.edge_metrics.inference_logs", limits: limits,
        access: QueryFixture.unrestricted, identity: QueryFixture.admin
      ).makeAsyncIterator()
      let first = try await iterator.next()
      #expect(first?.rows.count == 10)
    }

    let result = try await fixture.query("SELECT 1")

    #expect(result.rows == [[1]])
  }

  @Test("cancelled consumer stops the query")
  func cancelledConsumer() async throws {
    let fixture = try QueryFixture(connections: 1)
    let limits = QueryLimits(pageSize: 100, maxRows: 100, timeoutMilliseconds: 60_000)
    let engine = fixture.engine
    let consumer = Task {
      let stream = engine.run(
        sql: Self.endless,
        limits: limits, access: QueryFixture.unrestricted, identity: QueryFixture.admin)
      for try await _ in stream {}
    }
    try await Task.sleep(for: .milliseconds(100))

    consumer.cancel()
    var failure: (any Error)?
    do {
      try await consumer.value
    } catch {
      failure = error
    }
    let next = try await fixture.query("SELECT 1")

    #expect((failure as? ServiceError)?.code != .deadlineExceeded)
    #expect(next.rows == [[1]])
  }
}

extension QueryFunctionTests {
  @Test("stalled consumer loses its connection at the time cap")
  func stalledConsumer() async throws {
    let fixture = try QueryFixture(connections: 1)
    try await fixture.insert((0..<30).map { QueryFixture.Record(device: "d\($0)") })
    let limits = QueryLimits(pageSize: 10, maxRows: 100, timeoutMilliseconds: 200)
    let stream = fixture.engine.run(
      sql: "SELECT device_id FROM production.edge_metrics.inference_logs", limits: limits,
      access: QueryFixture.unrestricted, identity: QueryFixture.admin)
    var iterator = stream.makeAsyncIterator()
    let first = try await iterator.next()

    // The only connection comes back once the stalled query passes its cap.
    let other = try await fixture.query("SELECT 1")
    var failure: ServiceError?
    do {
      _ = try await iterator.next()
    } catch let error as ServiceError {
      failure = error
    }

    #expect(first?.rows.count == 10)
    #expect(other.rows == [[1]])
    #expect(failure?.code == .deadlineExceeded)
  }
}

extension QueryFunctionTests {
  @Test("CAST to DATE and TIMESTAMP keeps datetime text")
  func casts() async throws {
    let fixture = try QueryFixture()
    try await fixture.insert([.init(timestamp: "2030-01-15 11:30:00")])

    let result = try await fixture.query(
      """
      SELECT CAST(timestamp AS DATE), CAST(timestamp AS TIMESTAMP),
        CAST(CAST(timestamp AS TIMESTAMP) AS date), CAST(seq AS TEXT),
        CAST(now() - INTERVAL 1 DAY AS DATE)
      FROM production.edge_metrics.inference_logs
      """)

    #expect(
      result.rows == [
        ["2030-01-15", "2030-01-15 11:30:00.000", "2030-01-15", "1", "2030-01-14"]
      ])
  }
}
