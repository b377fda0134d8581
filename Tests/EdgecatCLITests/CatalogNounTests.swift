import Testing

/// `catalog`, `schema`, `table`, `volume` and `function` against live services.
@Suite("Catalog nouns")
struct CatalogNounTests {
  @Test("catalog create, get, list, update and delete")
  func catalogLifecycle() async throws {
    try await ServiceFixture.with { fixture in
      let created = try await fixture.succeed(
        "--output", "json", "catalog", "create", "production", "--comment", "live data",
        "--property", "team=ml", "--bind-environment", "production")
      let catalog = try created.json()
      #expect(catalog["name"] as? String == "production")
      #expect(catalog["owner"] as? String == ServiceFixture.admin)
      #expect(catalog["environments"] as? [String] == ["production"])
      #expect((catalog["properties"] as? [String: String]) == ["team": "ml"])

      let again = try await fixture.edgecat("catalog", "create", "production")
      #expect(again.status == 1)
      #expect(again.stderr.contains("ALREADY_EXISTS"))
      try await fixture.succeed("catalog", "create", "production", "--if-not-exists")

      let hidden = try await fixture.edgecat("catalog", "get", "production")
      #expect(hidden.status == 1)
      #expect(hidden.stderr.contains("NOT_FOUND"))
      let details = try await fixture.succeed(
        "--environment", "production", "catalog", "get", "production")
      #expect(details.stdout.contains("comment           live data"))
      #expect(details.stdout.contains("properties.team   ml"))

      try await fixture.succeed("principal", "create", "alice@example.com")
      let updated = try await fixture.succeed(
        "--environment", "production", "--output", "json", "catalog", "update", "production",
        "--comment", "renamed",
        "--owner", "alice@example.com", "--bind-environment", "production",
        "--bind-environment", "staging")
      #expect(try updated.json()["owner"] as? String == "alice@example.com")
      #expect(try updated.json()["comment"] as? String == "renamed")
      #expect(try updated.json()["environments"] as? [String] == ["production", "staging"])
      let nothing = try await fixture.edgecat("catalog", "update", "production")
      #expect(nothing.status == 2)
      #expect(nothing.stderr.contains("needs something to change: --comment"))

      // A catalog bound to environments is listed only for requests that name one of them.
      let unnamed = try await fixture.succeed("--output", "json", "catalog", "list")
      #expect(unnamed.stdout == "[]\n")
      let listed = try await fixture.succeed(
        "--environment", "staging", "--output", "json", "catalog", "list")
      #expect(try listed.jsonArray().compactMap { $0["name"] as? String } == ["production"])
      let deleted = try await fixture.succeed(
        "--environment", "staging", "catalog", "delete", "production")
      #expect(deleted.stdout == "deleted production\n")
    }
  }

  @Test("schema create, list, update and forced delete")
  func schemaLifecycle() async throws {
    try await ServiceFixture.with { fixture in
      try await fixture.succeed("catalog", "create", "production")
      let created = try await fixture.succeed(
        "--output", "json", "schema", "create", "production.ml_models", "--comment", "models")
      #expect(try created.json()["full_name"] as? String == "production.ml_models")
      try await fixture.succeed("schema", "create", "production.feature_store")
      let bad = try await fixture.edgecat("schema", "create", "ml_models")
      #expect(bad.status == 2)
      #expect(bad.stderr.contains("schema name \"ml_models\" is invalid; use CATALOG.SCHEMA"))

      let listed = try await fixture.succeed("--output", "json", "schema", "list", "production")
      let names = try listed.jsonArray().compactMap { $0["full_name"] as? String }
      #expect(names == ["production.feature_store", "production.ml_models"])
      let updated = try await fixture.succeed(
        "--output", "json", "schema", "update", "production.ml_models", "--property", "tier=gold")
      #expect((try updated.json()["properties"] as? [String: String]) == ["tier": "gold"])

      try await fixture.succeed(
        "table", "create", "production.ml_models.scores", "--column", "id:BIGINT")
      let rejected = try await fixture.edgecat("schema", "delete", "production.ml_models")
      #expect(rejected.status == 1)
      #expect(rejected.stderr.contains("FAILED_PRECONDITION"))
      let forced = try await fixture.succeed(
        "--output", "json", "schema", "delete", "production.ml_models", "--force")
      let dropped = try forced.json()["dropped"] as? [String] ?? []
      #expect(dropped.contains("production.ml_models"))
      #expect(dropped.contains("production.ml_models.scores"))
    }
  }

  @Test("table create with columns, partitions and properties")
  func tableLifecycle() async throws {
    try await ServiceFixture.with { fixture in
      try await fixture.succeed("catalog", "create", "production")
      try await fixture.succeed("schema", "create", "production.edge_metrics")
      let created = try await fixture.succeed(
        "--output", "json", "table", "create", "production.edge_metrics.inference_logs",
        "--column", "device_id:STRING NOT NULL", "--column", "timestamp:TIMESTAMP",
        "--column", "latency_ms:decimal(10, 2)", "--partition", "date(timestamp)",
        "--property", "delta.autoOptimize.optimizeWrite=true", "--comment", "per inference")
      let table = try created.json()
      #expect(table["table_type"] as? String == "MANAGED")
      #expect(table["data_source_format"] as? String == "DELTA")
      #expect(table["partition_columns"] as? [String] == ["date(timestamp)"])
      let columns = table["columns"] as? [[String: Any]] ?? []
      #expect(
        columns.compactMap { $0["name"] as? String } == ["device_id", "timestamp", "latency_ms"])
      #expect(
        columns.compactMap { $0["type"] as? String } == ["STRING", "TIMESTAMP", "DECIMAL(10,2)"])
      #expect(columns.first?["nullable"] as? Bool == false)

      let details = try await fixture.succeed(
        "table", "get", "production.edge_metrics.inference_logs")
      #expect(details.stdout.contains("columns:\n  NAME        TYPE           NULLABLE  COMMENT\n"))
      #expect(details.stdout.contains("  device_id   STRING         false\n"))

      let listed = try await fixture.succeed("table", "list", "production.edge_metrics")
      #expect(listed.lines.count == 2)
      #expect(listed.lines[1].hasPrefix("production.edge_metrics.inference_logs  MANAGED  DELTA"))
      let badType = try await fixture.edgecat(
        "table", "create", "production.edge_metrics.t", "--column", "x:VARIANT")
      #expect(badType.status == 1)
      #expect(badType.stderr.contains("VARIANT"))
      try await fixture.succeed("table", "delete", "production.edge_metrics.inference_logs")
    }
  }

  @Test("volume create, get, list, update and delete")
  func volumeLifecycle() async throws {
    try await ServiceFixture.with { fixture in
      try await fixture.succeed("catalog", "create", "production")
      try await fixture.succeed("schema", "create", "production.ml_models")
      let created = try await fixture.succeed(
        "--output", "json", "volume", "create", "production.ml_models.artifacts",
        "--location", "/srv/artifacts")
      #expect(try created.json()["volume_type"] as? String == "EXTERNAL")
      #expect(try created.json()["storage_location"] as? String == "/srv/artifacts")
      try await fixture.succeed("volume", "create", "production.ml_models.scratch")
      let listed = try await fixture.succeed(
        "--output", "json", "volume", "list", "production.ml_models")
      #expect(
        try listed.jsonArray().compactMap { $0["name"] as? String } == ["artifacts", "scratch"])
      let updated = try await fixture.succeed(
        "--output", "json", "volume", "update", "production.ml_models.scratch", "--comment", "tmp")
      #expect(try updated.json()["comment"] as? String == "tmp")
      let details = try await fixture.succeed("volume", "get", "production.ml_models.scratch")
      #expect(details.stdout.contains("volume_type       MANAGED"))
      try await fixture.succeed("volume", "delete", "production.ml_models.scratch")
    }
  }

  @Test("function create, get, list and delete")
  func functionLifecycle() async throws {
    try await ServiceFixture.with { fixture in
      try await fixture.succeed("catalog", "create", "production")
      try await fixture.succeed("schema", "create", "production.ml_models")
      let created = try await fixture.succeed(
        "--output", "json", "function", "create", "production.ml_models.is_eu",
        "--parameter", "region:STRING", "--returns", "BOOLEAN", "--body", "region = 'eu'")
      let function = try created.json()
      #expect(function["body"] as? String == "region = 'eu'")
      #expect(function["return_type"] as? String == "BOOLEAN")
      let parameters = function["parameters"] as? [[String: Any]] ?? []
      #expect(parameters.first?["name"] as? String == "region")

      let listed = try await fixture.succeed("function", "list", "production.ml_models")
      #expect(
        listed.lines.first
          == "FULL_NAME                   PARAMETERS     RETURNS  OWNER              BODY")
      #expect(
        listed.lines.last?.hasPrefix("production.ml_models.is_eu  region STRING  BOOLEAN") == true)

      let reading = try await fixture.edgecat(
        "function", "create", "production.ml_models.bad", "--parameter", "x:INT",
        "--body", "(SELECT 1)")
      #expect(reading.status == 1)
      #expect(reading.stderr.contains("INVALID_ARGUMENT"))
      let noBody = try await fixture.edgecat("function", "create", "production.ml_models.empty")
      #expect(noBody.status == 2)
      #expect(noBody.stderr.contains("needs --body EXPRESSION"))
      try await fixture.succeed("function", "get", "production.ml_models.is_eu")
      try await fixture.succeed("function", "delete", "production.ml_models.is_eu")
    }
  }
}
