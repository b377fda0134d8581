import EdgecatCore
import EdgecatStore
import EdgecatTelemetry
import Testing

@Suite("Query row filters and masks") struct QueryPolicyTests {
  static let records: [QueryFixture.Record] = [
    .init(device: "eu-1", inputHash: "secret-a", region: "eu"),
    .init(device: "eu-2", inputHash: "secret-b", region: "eu"),
    .init(device: "us-1", inputHash: "secret-c", region: "us"),
  ]
  static let regionFilter = TableAccess(rowFilter: "(region = current_user_region())")
  static let hashMask = TableAccess(
    masks: ["input_hash": "IF(is_account_group_member('pii-access'), (input_hash), '***')"])
  static let analyst = QueryIdentity(
    principal: "ana@example.com", groups: ["account users"], attributes: ["region": "eu"])
  static let investigator = QueryIdentity(
    principal: "ivy@example.com", groups: ["account users", "pii-access"],
    attributes: ["region": "us"])

  static func access(_ access: TableAccess) -> [String: TableAccess] {
    [QueryFixture.tableName: access]
  }

  @Test("row filter keeps the caller's region")
  func regionFilter() async throws {
    let fixture = try QueryFixture()
    try await fixture.insert(Self.records)

    let result = try await fixture.query(
      "SELECT device_id FROM production.edge_metrics.inference_logs ORDER BY device_id",
      access: Self.access(Self.regionFilter), identity: Self.analyst)

    #expect(result.rows == [["eu-1"], ["eu-2"]])
  }

  @Test("caller without a region sees no rows")
  func noRegion() async throws {
    let fixture = try QueryFixture()
    try await fixture.insert(Self.records)
    let identity = QueryIdentity(principal: "x@example.com", groups: [], attributes: [:])

    let result = try await fixture.query(
      "SELECT count(*) FROM production.edge_metrics.inference_logs",
      access: Self.access(Self.regionFilter), identity: identity)

    #expect(result.rows == [[0]])
  }

  @Test("mask hides input_hash outside pii-access")
  func maskHides() async throws {
    let fixture = try QueryFixture()
    try await fixture.insert(Self.records)
    let sql = "SELECT input_hash FROM production.edge_metrics.inference_logs ORDER BY device_id"

    let hidden = try await fixture.query(
      sql, access: Self.access(Self.hashMask), identity: Self.analyst)
    let shown = try await fixture.query(
      sql, access: Self.access(Self.hashMask), identity: Self.investigator)

    #expect(hidden.rows == [["***"], ["***"], ["***"]])
    #expect(shown.rows == [["secret-a"], ["secret-b"], ["secret-c"]])
  }

  @Test(
    "masked values are all a query can see",
    arguments: [
      "SELECT input_hash FROM production.edge_metrics.inference_logs ORDER BY input_hash",
      "SELECT input_hash, count(*) FROM production.edge_metrics.inference_logs GROUP BY 1",
      "SELECT * FROM production.edge_metrics.inference_logs WHERE input_hash LIKE 'secret%'",
      """
      SELECT max(input_hash), group_concat(input_hash)
      FROM production.edge_metrics.inference_logs
      """,
      "SELECT * FROM production.edge_metrics.inference_logs l WHERE l.input_hash = 'secret-a'",
      """
      SELECT (SELECT input_hash FROM production.edge_metrics.inference_logs i
        WHERE i.device_id = o.device_id) FROM production.edge_metrics.inference_logs o
      """,
      "SELECT substr(input_hash, 1, 3) FROM production.edge_metrics.inference_logs",
    ])
  func maskHoldsEverywhere(sql: String) async throws {
    let fixture = try QueryFixture()
    try await fixture.insert(Self.records)

    let result = try await fixture.query(
      sql, access: Self.access(Self.hashMask), identity: Self.analyst)

    for row in result.rows {
      for value in row {
        #expect(value.string?.contains("secret") != true, "\(sql) returned \(value)")
        #expect(value.string?.contains("sec") != true, "\(sql) returned \(value)")
      }
    }
  }

  @Test(
    "query predicates never run on hidden rows",
    arguments: [
      """
      SELECT device_id FROM production.edge_metrics.inference_logs
      WHERE \(QueryPolicyTests.failOnHidden)
      """,
      """
      SELECT device_id FROM production.edge_metrics.inference_logs
      WHERE timestamp > '2030-01-01' AND \(QueryPolicyTests.failOnHidden)
      """,
      """
      SELECT a.device_id FROM production.edge_metrics.inference_logs a
      JOIN production.edge_metrics.inference_logs b
      ON \(QueryPolicyTests.failOnHidden.replacing("region", with: "b.region"))
      """,
      """
      SELECT region, count(*) FROM production.edge_metrics.inference_logs GROUP BY region
      HAVING \(QueryPolicyTests.failOnHidden)
      """,
    ])
  func hiddenRowsStayHidden(sql: String) async throws {
    let fixture = try QueryFixture()
    try await fixture.insert(Self.records)

    let result = try await fixture.query(
      sql, access: Self.access(Self.regionFilter), identity: Self.analyst)

    #expect(!result.rows.isEmpty)
  }

  /// A predicate that fails with integer overflow on a row of the us region.
  static let failOnHidden =
    "CASE WHEN region = 'us' THEN abs(-9223372036854775807 - 1) ELSE 1 END"

  @Test("IF evaluates only the branch taken")
  func lazyIf() async throws {
    let fixture = try QueryFixture()
    try await fixture.insert(Self.records)

    // abs() of the smallest integer fails with integer overflow whenever it runs.
    let result = try await fixture.query(
      "SELECT IF(1 = 1, 'yes', abs(-9223372036854775807 - 1)) AS answer",
      identity: Self.analyst)

    #expect(result.rows == [["yes"]])
  }

  @Test("identity functions return the caller")
  func identityFunctions() async throws {
    let fixture = try QueryFixture()

    let result = try await fixture.query(
      """
      SELECT current_user(), is_account_group_member('pii-access'),
        is_account_group_member('account users'), current_user_attribute('region'),
        current_user_attribute('nosuch'), current_user_region()
      """, identity: Self.analyst)

    #expect(result.rows == [["ana@example.com", 0, 1, "eu", .null, "eu"]])
  }

  @Test("table without access is permission denied")
  func noAccess() async throws {
    let fixture = try QueryFixture()

    let error = await fixture.error(
      "SELECT * FROM production.edge_metrics.inference_logs", access: [:])

    #expect(error?.code == .permissionDenied)
    #expect(error?.message.contains(QueryFixture.tableName) == true)
  }

  @Test("mask that reads a table serves no rows")
  func badMask() async throws {
    let fixture = try QueryFixture()
    try await fixture.insert(Self.records)
    let access = TableAccess(masks: ["input_hash": "(SELECT max(name) FROM sqlite_master)"])

    let error = await fixture.error(
      "SELECT input_hash FROM production.edge_metrics.inference_logs",
      access: Self.access(access))

    #expect(error?.code == .failedPrecondition)
    #expect(error?.message.contains("input_hash") == true)
  }

  @Test("withView applies the filter and masks")
  func withView() async throws {
    let fixture = try QueryFixture()
    try await fixture.insert(Self.records)
    var access = Self.hashMask
    access.rowFilter = Self.regionFilter.rowFilter

    let rows = try await fixture.engine.withView(
      of: QueryFixture.table, access, for: Self.analyst
    ) { database, source throws(ServiceError) in
      do {
        return try database.query(
          "SELECT device_id, input_hash FROM \(source) AS v ORDER BY device_id"
        ).map(\.values)
      } catch {
        throw .storage(error, operation: "metrics", database: "telemetry")
      }
    }

    #expect(rows == [["eu-1", "***"], ["eu-2", "***"]])
  }
}
