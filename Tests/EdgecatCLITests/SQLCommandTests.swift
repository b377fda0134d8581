import Foundation
import Testing

/// `edgecat sql` against live services: each statement kind, input sources and errors.
@Suite("SQL command")
struct SQLCommandTests {
  static let namespace = """
    CREATE CATALOG production COMMENT 'live';
    CREATE SCHEMA production.ml_models WITH DBPROPERTIES ('tier' = 'gold');
    CREATE TABLE production.ml_models.predictions (region STRING, score DOUBLE) USING DELTA;
    CREATE FUNCTION production.ml_models.is_eu(region STRING) RETURNS BOOLEAN
      RETURN region = 'eu';
    CREATE FUNCTION production.ml_models.hide(value STRING, region STRING)
      RETURN CASE WHEN region = 'eu' THEN value ELSE '***' END;
    """

  @Test("grants, revokes and SHOW GRANTS in JSON")
  func grantsAndShow() async throws {
    try await ServiceFixture.with { fixture in
      try await fixture.succeed("group", "create", "analysts")
      try await fixture.succeed("sql", "-e", Self.namespace)
      let result = try await fixture.succeed(
        "--output", "json", "sql", "-e",
        """
        GRANT USE CATALOG, BROWSE ON CATALOG production TO `analysts`;
        GRANT SELECT ON TABLE production.ml_models.predictions TO analysts;
        REVOKE BROWSE ON CATALOG production FROM `analysts`;
        SHOW GRANTS `analysts` ON CATALOG production;
        SHOW GRANTS ON TABLE production.ml_models.predictions
        """)
      let results = try result.jsonArray()
      #expect(results.count == 5)
      #expect(results.compactMap { $0["line"] as? Int } == [1, 2, 3, 4, 5])
      #expect(
        results[0]["statement"] as? String
          == "GRANT USE_CATALOG, BROWSE ON CATALOG production TO `analysts`")
      let catalogGrants = results[3]["result"] as? [[String: Any]]
      #expect(catalogGrants?.first?["privileges"] as? [String] == ["USE_CATALOG"])
      let tableGrants = results[4]["result"] as? [[String: Any]]
      #expect(tableGrants?.first?["principal"] as? String == "analysts")
      #expect(tableGrants?.first?["privileges"] as? [String] == ["SELECT"])
    }
  }

  @Test("row filters and masks are set and dropped")
  func bindings() async throws {
    try await ServiceFixture.with { fixture in
      try await fixture.succeed("sql", "-e", Self.namespace)
      try await fixture.succeed(
        "sql", "-e",
        """
        ALTER TABLE production.ml_models.predictions SET ROW FILTER production.ml_models.is_eu ON (region);
        ALTER TABLE production.ml_models.predictions ALTER COLUMN region
          SET MASK production.ml_models.hide USING COLUMNS (region);
        """)
      let bound = try await fixture.succeed(
        "--output", "json", "table", "get", "production.ml_models.predictions")
      let masks = try bound.json()["column_masks"] as? [String: [String: Any]]
      #expect(masks?["region"]?["using_columns"] as? [String] == ["region"])
      #expect(try bound.json()["row_filter"] is [String: Any])

      let dropFunction = try await fixture.edgecat(
        "sql", "-e", "DROP FUNCTION production.ml_models.is_eu")
      #expect(dropFunction.status == 1)
      #expect(dropFunction.stderr.contains("FAILED_PRECONDITION"))

      try await fixture.succeed(
        "sql", "-e",
        """
        ALTER TABLE production.ml_models.predictions DROP ROW FILTER;
        ALTER TABLE production.ml_models.predictions CHANGE COLUMN region DROP MASK;
        DROP FUNCTION production.ml_models.is_eu;
        """)
      let unbound = try await fixture.succeed(
        "--output", "json", "table", "get", "production.ml_models.predictions")
      #expect(try unbound.json()["row_filter"] is NSNull)
      #expect((try unbound.json()["column_masks"] as? [String: Any])?.isEmpty == true)
    }
  }

  @Test("ownership changes and drops")
  func ownersAndDrops() async throws {
    try await ServiceFixture.with { fixture in
      try await fixture.succeed("principal", "create", "alice@example.com")
      try await fixture.succeed("sql", "-e", Self.namespace)
      try await fixture.succeed(
        "sql", "-e",
        """
        ALTER SCHEMA production.ml_models OWNER TO `alice@example.com`;
        ALTER TABLE production.ml_models.predictions SET OWNER TO `alice@example.com`;
        CREATE VOLUME production.ml_models.files COMMENT 'raw';
        ALTER VOLUME production.ml_models.files OWNER TO `alice@example.com`
        """)
      let schema = try await fixture.succeed(
        "--output", "json", "schema", "get", "production.ml_models")
      #expect(try schema.json()["owner"] as? String == "alice@example.com")
      let table = try await fixture.succeed(
        "--output", "json", "table", "get", "production.ml_models.predictions")
      #expect(try table.json()["owner"] as? String == "alice@example.com")

      let rejected = try await fixture.edgecat("sql", "-e", "DROP CATALOG production")
      #expect(rejected.status == 1)
      #expect(rejected.stderr.contains("FAILED_PRECONDITION"))
      let dropped = try await fixture.succeed(
        "sql", "-e",
        "DROP TABLE IF EXISTS production.ml_models.nothing; DROP CATALOG IF EXISTS production CASCADE"
      )
      #expect(
        dropped.lines.first
          == "line 1: DROP TABLE IF EXISTS production.ml_models.nothing: nothing to drop")
      #expect(
        dropped.lines.last?.hasPrefix(
          "line 1: DROP CATALOG IF EXISTS production CASCADE: dropped production") == true)
      #expect(dropped.stdout.contains("production.ml_models.files"))
      let afterDrop = try await fixture.edgecat("catalog", "get", "production")
      #expect(afterDrop.status == 1)
    }
  }

  @Test("statements come from stdin and several files in order")
  func inputs() async throws {
    try await ServiceFixture.with { fixture in
      let first = try fixture.write("CREATE CATALOG one;\n", to: "one.sql")
      let second = try fixture.write("-- the schema\nCREATE SCHEMA one.s;\n", to: "two.sql")
      let files = try await fixture.succeed("sql", first, second)
      #expect(
        files.lines == [
          "\(first):1: CREATE CATALOG one: done", "\(second):2: CREATE SCHEMA one.s: done",
        ])
      let piped = try await fixture.succeed("sql", input: "CREATE CATALOG two;")
      #expect(piped.stdout == "line 1: CREATE CATALOG two: done\n")
      let dash = try await fixture.succeed("sql", "-", input: "CREATE CATALOG three")
      #expect(dash.stdout == "stdin:1: CREATE CATALOG three: done\n")
      let both = try await fixture.edgecat("sql", "-e", "CREATE CATALOG x", first)
      #expect(both.status == 2)
      let missing = try await fixture.edgecat("sql", "/nonexistent.sql")
      #expect(missing.status == 2)
      #expect(missing.stderr.contains("/nonexistent.sql"))
    }
  }

  @Test(
    "unsupported statements fail before anything runs",
    arguments: [
      ("INSERT INTO production.a.b VALUES (1)", "line 3: INSERT is not supported"),
      ("CREATE VIEW production.a.v AS SELECT 1", "line 3: CREATE VIEW is not supported"),
      ("UPDATE t SET x = 1", "line 3: UPDATE is not supported"),
      ("VALUES (1), (2)", "line 3: VALUES queries are not supported; write them as SELECT"),
      ("GRANT SELECT ON production.a.b TO `x`", "line 3: expected a securable type after ON"),
      ("CREATE SCHEMA ml_models", "line 3: schema name ml_models has 1 part"),
      ("DROP TABLE production.a.b CASCADE", "CASCADE applies to DROP CATALOG and DROP SCHEMA"),
      ("CREATE OR REPLACE FUNCTION a.b.c() RETURN 1", "CREATE OR REPLACE is not supported"),
      ("GRANT SELECT ON TABLE a.b.c TO `x` extra", "unexpected \"extra\" after the principal"),
      ("ALTER TABLE a.b.c RENAME TO d", "expected SET ROW FILTER, DROP ROW FILTER"),
      ("CREATE TABLE a.b.c (x INT) AS SELECT 1", "CREATE TABLE ... AS SELECT needs the query"),
      ("CREATE TABLE a.b.c (x INT", "expected \")\" to close the list"),
      ("GRANT SELECT ON TABLE a.b.c TO 'x", "line 3: the string that starts here has no closing"),
    ])
  func unsupported(statement: String, message: String) async throws {
    try await ServiceFixture.with { fixture in
      let script = "CREATE CATALOG first;\n-- then\n\(statement);\nCREATE CATALOG last;\n"
      let result = try await fixture.edgecat("sql", "-e", script)
      #expect(result.status == 1)
      #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
      #expect(result.stderr.hasSuffix("no statement was run\n"))
      #expect(result.stdout.isEmpty)
      let listed = try await fixture.succeed("catalog", "list")
      #expect(listed.stdout == "(none)\n")
    }
  }

  @Test("an unsupported statement lists the supported ones")
  func supportedList() async throws {
    try await ServiceFixture.with { fixture in
      let result = try await fixture.edgecat("sql", "-e", "MERGE INTO t USING s ON true")
      #expect(
        result.stderr.contains(
          "edgecat sql supports CREATE CATALOG|SCHEMA|TABLE|FUNCTION|VOLUME, GRANT, REVOKE"))
      #expect(result.stderr.contains("SHOW GRANTS, DROP and SELECT"))
    }
  }

  @Test("SHOW GRANTS of an unknown principal fails")
  func showGrantsUnknownPrincipal() async throws {
    try await ServiceFixture.with { fixture in
      try await fixture.succeed("group", "create", "analysts")
      try await fixture.succeed("sql", "-e", "CREATE CATALOG production")
      let empty = try await fixture.succeed(
        "sql", "-e", "SHOW GRANTS `analysts` ON CATALOG production")
      #expect(empty.stdout.contains("(none)"))
      let result = try await fixture.edgecat(
        "sql", "-e", "SHOW GRANTS `analyst` ON CATALOG production")
      #expect(result.status == 1)
      #expect(result.stderr.contains("principal 'analyst' does not exist"))
    }
  }

  @Test("a SELECT goes to the telemetry service after the statements before it")
  func selectQuery() async throws {
    try await ServiceFixture.with { fixture in
      let script = "CREATE CATALOG first;\nSELECT count(*) FROM first.edge_metrics.t;\n"
      let result = try await fixture.edgecat("sql", "-e", script)
      #expect(result.status == 1)
      #expect(result.stdout.hasPrefix("line 1: CREATE CATALOG first: done\n"))
      #expect(
        result.stderr.contains(
          "line 2: SELECT count(*) FROM first.edge_metrics.t failed: edgecat-telemetry at"
            + " 127.0.0.1:1 returned UNAVAILABLE"))
      #expect(result.stderr.contains("(1 of 2 statements ran before it)"))
    }
  }

  @Test("a failing statement stops the run and names its line")
  func failureStops() async throws {
    try await ServiceFixture.with { fixture in
      let result = try await fixture.edgecat(
        "--output", "json", "sql", "-e",
        "CREATE CATALOG a;\nGRANT USE CATALOG ON CATALOG a TO `nobody`;\nCREATE CATALOG b;")
      #expect(result.status == 1)
      #expect(result.stderr.contains("line 2: GRANT USE_CATALOG ON CATALOG a TO `nobody` failed"))
      #expect(result.stderr.contains("(1 of 3 statements ran before it)"))
      #expect(try result.jsonArray().count == 1)
      let listed = try await fixture.succeed("--output", "json", "catalog", "list")
      #expect(try listed.jsonArray().compactMap { $0["name"] as? String } == ["a"])
    }
  }

  @Test("--dry-run parses without calling a service")
  func dryRun() async throws {
    let result = try await CLIRunner.run(
      ["sql", "--dry-run", "-e", "CREATE CATALOG a; GRANT ALL PRIVILEGES ON METASTORE TO `x`"],
      environment: ["HOME": "/nonexistent", "EDGECAT_POLICY_ENDPOINT": "127.0.0.1:1"])
    #expect(result.status == 0)
    #expect(
      result.lines == [
        "line 1: CREATE CATALOG a", "line 1: GRANT ALL_PRIVILEGES ON METASTORE TO `x`",
      ])
  }
}
