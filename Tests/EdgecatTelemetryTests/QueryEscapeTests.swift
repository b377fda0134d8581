import EdgecatCore
import EdgecatStore
import EdgecatTelemetry
import Testing

@Suite("Query escape attempts") struct QueryEscapeTests {
  struct Attempt: Sendable, CustomStringConvertible {
    let sql: String
    let code: ServiceErrorCode
    var description: String { sql }
  }

  static let attempts: [Attempt] = [
    // The raw table by any spelling.
    .init(sql: "SELECT * FROM inference_logs", code: .invalidArgument),
    .init(sql: "SELECT * FROM INFERENCE_LOGS", code: .invalidArgument),
    .init(sql: "SELECT * FROM \"inference_logs\"", code: .invalidArgument),
    .init(sql: "SELECT * FROM [inference_logs]", code: .invalidArgument),
    .init(sql: "SELECT * FROM `inference_logs`", code: .invalidArgument),
    .init(sql: "SELECT * FROM main.inference_logs", code: .invalidArgument),
    .init(sql: "SELECT * FROM /* hidden */ inference_logs", code: .invalidArgument),
    .init(sql: "SELECT * FROM -- hidden\ninference_logs", code: .invalidArgument),
    .init(sql: "SELECT (SELECT input_hash FROM inference_logs LIMIT 1)", code: .invalidArgument),
    .init(
      sql: "SELECT * FROM production.edge_metrics.inference_logs a JOIN inference_logs b",
      code: .invalidArgument),
    .init(sql: "SELECT * FROM edge_metrics.inference_logs", code: .invalidArgument),
    // Shadowing a hosted or generated name.
    .init(
      sql: "WITH inference_logs AS (SELECT 'x' AS input_hash) SELECT * FROM inference_logs",
      code: .invalidArgument),
    .init(
      sql: """
        WITH "production.edge_metrics.inference_logs" AS (SELECT 1)
        SELECT * FROM "production.edge_metrics.inference_logs"
        """,
      code: .invalidArgument),
    .init(
      sql: "SELECT * FROM production.edge_metrics.inference_logs AS inference_logs",
      code: .invalidArgument),
    .init(
      sql: "SELECT * FROM production.edge_metrics.inference_logs \"Inference_Logs\"",
      code: .invalidArgument),
    // Other tables, schemas and table-valued functions.
    .init(sql: "SELECT * FROM heartbeats", code: .permissionDenied),
    .init(sql: "SELECT count(*) FROM heartbeats", code: .permissionDenied),
    .init(sql: "SELECT count(*) FROM Audit_Events", code: .permissionDenied),
    .init(sql: "SELECT count(*) FROM sqlite_master", code: .permissionDenied),
    .init(sql: "SELECT (SELECT count(*) FROM alert_rules)", code: .permissionDenied),
    .init(sql: "SELECT 1 FROM heartbeats LIMIT 1", code: .permissionDenied),
    .init(sql: "SELECT * FROM audit_events", code: .permissionDenied),
    .init(sql: "SELECT name, sql FROM sqlite_master", code: .permissionDenied),
    .init(sql: "SELECT * FROM sqlite_schema", code: .permissionDenied),
    .init(sql: "SELECT * FROM temp.sqlite_master", code: .permissionDenied),
    .init(sql: "SELECT * FROM pragma_table_info('inference_logs')", code: .permissionDenied),
    .init(sql: "SELECT * FROM pragma_database_list", code: .permissionDenied),
    .init(sql: "SELECT * FROM json_each('[1, 2]')", code: .permissionDenied),
    .init(
      sql: "SELECT value FROM json_each((SELECT group_concat(sql) FROM sqlite_master))",
      code: .permissionDenied),
    .init(sql: "SELECT * FROM nosuch", code: .notFound),
    .init(sql: "SELECT * FROM production.edge_metrics.heartbeats", code: .notFound),
    .init(sql: "SELECT * FROM staging.edge_metrics.inference_logs", code: .notFound),
    .init(sql: "SELECT * FROM a.production.edge_metrics.inference_logs", code: .invalidArgument),
    // Functions outside the allowlist.
    .init(sql: "SELECT load_extension('/tmp/evil.so')", code: .invalidArgument),
    .init(sql: "SELECT sqlite_version()", code: .invalidArgument),
    .init(sql: "SELECT randomblob(1000000000)", code: .invalidArgument),
    .init(sql: "SELECT last_insert_rowid()", code: .invalidArgument),
    // Statements other than one SELECT.
    .init(sql: "PRAGMA table_info(inference_logs)", code: .invalidArgument),
    .init(sql: "PRAGMA query_only = OFF", code: .invalidArgument),
    .init(sql: "ATTACH DATABASE '/tmp/x.db' AS x", code: .invalidArgument),
    .init(sql: "DELETE FROM production.edge_metrics.inference_logs", code: .invalidArgument),
    .init(
      sql: "INSERT INTO production.edge_metrics.inference_logs VALUES (1)", code: .invalidArgument),
    .init(sql: "CREATE TEMP VIEW v AS SELECT 1", code: .invalidArgument),
    .init(sql: "SELECT 1; DELETE FROM heartbeats", code: .invalidArgument),
    .init(sql: "SELECT 1; SELECT 2", code: .invalidArgument),
    .init(sql: "/* SELECT */ DELETE FROM heartbeats", code: .invalidArgument),
    .init(
      sql: "WITH x AS (SELECT 1) DELETE FROM production.edge_metrics.inference_logs",
      code: .invalidArgument),
    .init(sql: "SELECT ?", code: .invalidArgument),
    .init(sql: "SELECT :name", code: .invalidArgument),
    .init(sql: "SELECT 'unclosed", code: .invalidArgument),
    .init(sql: "", code: .invalidArgument),
    .init(sql: ";", code: .invalidArgument),
  ]

  @Test("escape attempt is rejected", arguments: attempts)
  func rejected(attempt: Attempt) async throws {
    let fixture = try QueryFixture()
    try await fixture.insert([.init(inputHash: "secret-a")])
    let access = [
      QueryFixture.tableName: TableAccess(
        rowFilter: "region = current_user_region()", masks: ["input_hash": "'***'"])
    ]

    let error = await fixture.error(attempt.sql, access: access)

    #expect(error?.code == attempt.code, "\(error?.description ?? "no error")")
    #expect(error?.message.contains("edgecat_source") != true)
  }

  @Test(
    "table-valued function is named in the denial",
    arguments: [
      "SELECT * FROM json_each('[1, 2]')",
      "SELECT name FROM pragma_table_info('inference_logs')",
      "SELECT count(*) FROM production.edge_metrics.inference_logs, json_tree('{}')",
    ])
  func tableValuedFunction(sql: String) async throws {
    let fixture = try QueryFixture()

    let error = await fixture.error(sql, access: [QueryFixture.tableName: TableAccess()])

    #expect(error?.code == .permissionDenied)
    #expect(error?.message.contains("table-valued function") == true, "\(error?.message ?? "")")
  }

  @Test("deeply nested query is invalid", arguments: [101, 150, 5000])
  func deepNesting(depth: Int) async throws {
    let fixture = try QueryFixture()
    let open = String(repeating: "(", count: depth)
    let close = String(repeating: ")", count: depth)

    let error = await fixture.error(
      "SELECT \(open)1\(close)", access: [QueryFixture.tableName: TableAccess()])

    #expect(error?.code == .invalidArgument)
    #expect(error?.message.contains("more than 100 deep") == true, "\(error?.message ?? "")")
  }

  @Test("nesting within the limit runs")
  func allowedNesting() async throws {
    let fixture = try QueryFixture()
    let open = String(repeating: "(", count: 90)
    let close = String(repeating: ")", count: 90)

    let result = try await fixture.query("SELECT \(open)1\(close) AS one")

    #expect(result.rows == [[1]])
  }

  @Test("query connections are read-only")
  func readOnlyConnection() async throws {
    let fixture = try QueryFixture()
    try await fixture.insert([.init()])

    let result = try await fixture.engine.withView(
      of: QueryFixture.table, TableAccess(), for: QueryFixture.admin
    ) { database, _ throws(ServiceError) in
      do {
        try database.execute("DELETE FROM inference_logs")
        return "deleted"
      } catch {
        return "\(error)"
      }
    }

    #expect(result.contains("readonly") || result.contains("query_only"))
    let count = try await fixture.query(
      "SELECT count(*) FROM production.edge_metrics.inference_logs")
    #expect(count.rows == [[1]])
  }
}
