import Testing

/// `lineage` and `audit` against live services.
@Suite("Lineage and audit")
struct LineageAuditTests {
  @Test("lineage add and get")
  func lineage() async throws {
    try await ServiceFixture.with { fixture in
      try await fixture.succeed("catalog", "create", "production")
      try await fixture.succeed("schema", "create", "production.ml_models")
      try await fixture.succeed(
        "table", "create", "production.ml_models.features", "--column", "id:INT")
      let added = try await fixture.succeed(
        "lineage", "add", "device:press-01", "production.ml_models.features", "WRITES_TO")
      #expect(
        added.stdout == "added edge device:press-01 -> production.ml_models.features (WRITES_TO)\n")
      let again = try await fixture.succeed(
        "lineage", "add", "device:press-01", "production.ml_models.features", "WRITES_TO")
      #expect(again.stdout.hasSuffix("was recorded before\n"))

      let walk = try await fixture.succeed(
        "--output", "json", "lineage", "get", "production.ml_models.features", "--direction",
        "upstream", "--depth", "2")
      let graph = try walk.json()
      let nodes = graph["nodes"] as? [[String: Any]] ?? []
      #expect(
        nodes.compactMap { $0["id"] as? String } == [
          "production.ml_models.features", "device:press-01",
        ])
      #expect(nodes.compactMap { $0["distance"] as? Int } == [0, 1])
      let edges = graph["edges"] as? [[String: Any]] ?? []
      #expect(edges.first?["kind"] as? String == "WRITES_TO")
      #expect(edges.first?["recorded_by"] as? String == ServiceFixture.admin)

      let table = try await fixture.succeed("lineage", "get", "production.ml_models.features")
      #expect(table.stdout.hasPrefix("nodes:\n  ID "))
      #expect(table.stdout.contains("\nedges:\n  SOURCE "))
      let badDirection = try await fixture.edgecat(
        "lineage", "get", "production.ml_models.features", "--direction", "sideways")
      #expect(badDirection.status == 2)
    }
  }

  @Test("audit list merges the services newest first")
  func auditMerge() async throws {
    try await ServiceFixture.with(registry: true) { fixture in
      try await fixture.succeed("group", "create", "analysts")
      try await fixture.createModelNamespace()
      let merged = try await fixture.succeed("--output", "json", "audit", "list")
      let events = try merged.jsonArray()
      let services = Set(events.compactMap { $0["service"] as? String })
      #expect(services == ["policy", "catalog", "registry"])
      // The fixture runs no telemetry service, which the merge leaves out with a warning.
      #expect(merged.stderr.contains("edgecat: warning: left out edgecat-telemetry at 127.0.0.1:1"))
      let times = events.compactMap { $0["time"] as? String }
      #expect(times == times.sorted(by: >))
      #expect(events.contains { $0["action"] as? String == "CreateCatalog" })
      #expect(events.contains { $0["action"] as? String == "CreateRegisteredModel" })

      let policyOnly = try await fixture.succeed(
        "--output", "json", "audit", "list", "--service", "policy")
      #expect(try policyOnly.jsonArray().allSatisfy { $0["service"] as? String == "policy" })
      let two = try await fixture.succeed("--output", "json", "audit", "list", "--max-results", "2")
      #expect(try two.jsonArray().count == 2)
      let unknown = try await fixture.edgecat("audit", "list", "--service", "agent")
      #expect(unknown.status == 2)
      let telemetry = try await fixture.edgecat("audit", "list", "--service", "telemetry")
      #expect(telemetry.status == 1)
      #expect(telemetry.stderr.contains("UNAVAILABLE"))

      // Times in RFC 3339 and in the services' own format select the same events.
      let since = try await fixture.succeed(
        "--output", "json", "audit", "list", "--service", "policy", "--start-time",
        "2000-01-01T00:00:00Z")
      #expect(try since.jsonArray().count == (try policyOnly.jsonArray().count))
      let before = try await fixture.succeed(
        "--output", "json", "audit", "list", "--service", "policy", "--end-time",
        "2000-01-01 00:00:00")
      #expect(try before.jsonArray().isEmpty)
      let badTime = try await fixture.edgecat("audit", "list", "--start-time", "yesterday")
      #expect(badTime.status == 2)
      #expect(badTime.stderr.contains("--start-time \"yesterday\" is invalid"))
    }
  }

  @Test("audit decisions lists checks")
  func decisions() async throws {
    try await ServiceFixture.with { fixture in
      try await fixture.succeed("catalog", "create", "production")
      try await fixture.succeed("group", "create", "analysts")
      _ = try await fixture.edgecat("check", "analysts", "USE_CATALOG", "catalog", "production")
      // The decision log is written in batches off the request path, so it may lag.
      var found: [[String: Any]] = []
      for _ in 0..<50 where found.isEmpty {
        let listed = try await fixture.succeed(
          "--output", "json", "audit", "decisions", "--principal", "analysts")
        found = try listed.jsonArray()
        if found.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
      }
      #expect(found.first?["privilege"] as? String == "USE_CATALOG")
      #expect(found.first?["allowed"] as? Bool == false)

      let denied = try await fixture.succeed(
        "--output", "json", "audit", "decisions", "--principal", "analysts", "--outcome",
        "denied", "--privilege", "USE_CATALOG")
      #expect(try denied.jsonArray().count == found.count)
      let allowed = try await fixture.succeed(
        "--output", "json", "audit", "decisions", "--principal", "analysts", "--outcome",
        "allowed")
      #expect(try allowed.jsonArray().isEmpty)
      let invalid = try await fixture.edgecat("audit", "decisions", "--outcome", "maybe")
      #expect(invalid.status == 2)
      #expect(invalid.stderr.contains("--outcome \"maybe\" is not an outcome"))
    }
  }
}
