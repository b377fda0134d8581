import Foundation
import Testing

/// examples/seed/tables.sql and setup.sql applied with `edgecat sql`, then checked with
/// `edgecat check`.
@Suite("Seed script")
struct SeedScriptTests {
  static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
      "examples/seed")
  static let groups = [
    "data-engineers", "ml-engineers", "edge-devices", "analysts", "global-admin", "pii-access",
  ]

  /// Creates the groups and a member of each of three, then applies both scripts.
  static func applyScripts(_ fixture: ServiceFixture) async throws -> CLIResult {
    for group in groups { try await fixture.succeed("group", "create", group) }
    let members = [
      ("dana@example.com", "data-engineers"), ("mel@example.com", "ml-engineers"),
      ("device:press-01", "edge-devices"),
    ]
    for (member, group) in members {
      try await fixture.succeed("principal", "create", member, "--attribute", "region=eu")
      try await fixture.succeed("group", "add-member", group, member)
    }
    return try await fixture.succeed(
      "sql", examples.appendingPathComponent("tables.sql").path,
      examples.appendingPathComponent("setup.sql").path)
  }

  @Test("the setup script runs every statement")
  func setupRuns() async throws {
    try await ServiceFixture.with { fixture in
      let result = try await Self.applyScripts(fixture)
      #expect(result.lines.count == 19)
      #expect(result.lines.allSatisfy { $0.hasSuffix(": done") })
      #expect(
        result.stdout.contains(
          "setup.sql:19: GRANT USE_CATALOG ON CATALOG production TO `data-engineers`: done"))
      #expect(result.stderr.isEmpty)

      let predictions = try await fixture.succeed(
        "--output", "json", "table", "get", "production.ml_models.predictions")
      let filter = try predictions.json()["row_filter"] as? [String: Any]
      #expect(filter?["function_full_name"] as? String == "production.ml_models.region_filter")
      #expect(filter?["input_columns"] as? [String] == ["region"])
      let customers = try await fixture.succeed(
        "--output", "json", "table", "get", "production.feature_store.customers")
      let masks = try customers.json()["column_masks"] as? [String: [String: Any]]
      #expect(masks?["email"]?["function_full_name"] as? String == "production.ml_models.mask_pii")
      let logs = try await fixture.succeed(
        "--output", "json", "table", "get", "production.edge_metrics.inference_logs")
      #expect(try logs.json()["partition_columns"] as? [String] == ["date(timestamp)"])
      let properties = try logs.json()["properties"] as? [String: String]
      #expect(properties == ["delta.autoOptimize.optimizeWrite": "true"])
      let filterFunction = try await fixture.succeed(
        "--output", "json", "function", "get", "production.ml_models.region_filter")
      #expect(
        try filterFunction.json()["body"] as? String
          == "IF(IS_ACCOUNT_GROUP_MEMBER('global-admin'), true, region = current_user_region())")
    }
  }

  @Test("ml-engineers lack USE_CATALOG after the setup")
  func mlEngineersDenied() async throws {
    try await ServiceFixture.with { fixture in
      _ = try await Self.applyScripts(fixture)
      let check = try await fixture.edgecat(
        "check", "ml-engineers", "USE_CATALOG", "catalog", "production")
      #expect(check.status == 1)
      #expect(check.stdout.hasPrefix("denied: USE_CATALOG on catalog production is denied"))
      #expect(check.stdout.contains("missing privileges: USE_CATALOG"))

      let member = try await fixture.edgecat(
        "--output", "json", "check", "mel@example.com", "SELECT", "table",
        "production.feature_store.customers")
      #expect(member.status == 1)
      let missing = try member.json()["missing_privileges"] as? [String]
      #expect(missing == ["USE_CATALOG", "USE_SCHEMA"])

      let device = try await fixture.edgecat(
        "--output", "json", "check", "device:press-01", "MODIFY", "table",
        "production.edge_metrics.inference_logs")
      #expect(device.status == 1)
      #expect(
        try device.json()["missing_privileges"] as? [String] == [
          "USE_CATALOG", "USE_SCHEMA", "MODIFY",
        ])
    }
  }

  @Test("data-engineers may use the catalog after the setup")
  func dataEngineersAllowed() async throws {
    try await ServiceFixture.with { fixture in
      _ = try await Self.applyScripts(fixture)
      let check = try await fixture.edgecat(
        "check", "dana@example.com", "USE_CATALOG", "catalog", "production")
      #expect(check.status == 0)
      #expect(check.stdout.hasPrefix("allowed: "))
      let grants = try await fixture.succeed(
        "sql", "-e", "SHOW GRANTS ON SCHEMA production.ml_models")
      #expect(grants.stdout.contains("  ml-engineers  USE_SCHEMA\n"))
    }
  }

  @Test("adding the missing usage lets ml-engineers in")
  func usageAdded() async throws {
    try await ServiceFixture.with { fixture in
      _ = try await Self.applyScripts(fixture)
      try await fixture.succeed(
        "sql", "-e",
        """
        GRANT USE CATALOG ON CATALOG production TO `ml-engineers`;
        GRANT USE SCHEMA ON SCHEMA production.feature_store TO `ml-engineers`;
        """)
      let check = try await fixture.edgecat(
        "check", "mel@example.com", "SELECT", "table", "production.feature_store.customers")
      #expect(check.status == 0)
    }
  }

  @Test("a second run stops at the existing function")
  func setupTwice() async throws {
    try await ServiceFixture.with { fixture in
      _ = try await Self.applyScripts(fixture)
      let again = try await fixture.edgecat(
        "sql", Self.examples.appendingPathComponent("setup.sql").path)
      // The functions exist already: CREATE FUNCTION without IF NOT EXISTS fails there.
      #expect(again.status == 1)
      #expect(
        again.stderr.contains(
          "setup.sql:25: CREATE FUNCTION production.ml_models.region_filter failed"))
      #expect(again.stderr.contains("ALREADY_EXISTS"))
      #expect(again.stderr.contains("(8 of 12 statements ran before it)"))
    }
  }
}
