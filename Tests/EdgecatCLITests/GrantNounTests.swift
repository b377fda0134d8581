import Testing

/// `grant` and `check` against a live policy service.
@Suite("Grant and check")
struct GrantNounTests {
  /// Creates a production catalog with a schema, a group ml-engineers and its member mel.
  static func prepare(_ fixture: ServiceFixture) async throws {
    try await fixture.succeed("catalog", "create", "production")
    try await fixture.succeed("schema", "create", "production.ml_models")
    try await fixture.succeed("group", "create", "ml-engineers")
    try await fixture.succeed("principal", "create", "mel@example.com")
    try await fixture.succeed("group", "add-member", "ml-engineers", "mel@example.com")
  }

  @Test("grant add, list, effective and remove")
  func grantLifecycle() async throws {
    try await ServiceFixture.with { fixture in
      try await Self.prepare(fixture)
      let granted = try await fixture.succeed(
        "grant", "add", "catalog", "production", "--principal", "ml-engineers",
        "--privilege", "use catalog", "--privilege", "BROWSE,create_schema")
      #expect(
        granted.stdout
          == "granted USE_CATALOG, BROWSE, CREATE_SCHEMA on catalog production to ml-engineers\n")

      let listed = try await fixture.succeed(
        "--output", "json", "grant", "list", "catalog", "production")
      let grants = try listed.jsonArray()
      #expect(grants.count == 1)
      #expect(grants.first?["principal"] as? String == "ml-engineers")
      #expect(
        grants.first?["privileges"] as? [String] == ["BROWSE", "CREATE_SCHEMA", "USE_CATALOG"])

      let onCatalog = try await fixture.succeed(
        "grant", "effective", "catalog", "production", "--principal", "mel@example.com")
      #expect(onCatalog.lines.first == "PRIVILEGE      SOURCES")
      #expect(onCatalog.lines.contains("USE_CATALOG    direct on production via ml-engineers"))
      let onSchema = try await fixture.succeed(
        "grant", "effective", "schema", "production.ml_models", "--principal", "mel@example.com")
      #expect(onSchema.lines.contains("BROWSE     inherited on production via ml-engineers"))

      try await fixture.succeed(
        "grant", "remove", "catalog", "production", "--principal", "ml-engineers",
        "--privilege", "BROWSE")
      let after = try await fixture.succeed("grant", "list", "catalog", "production")
      #expect(
        after.lines == ["PRINCIPAL     PRIVILEGES", "ml-engineers  CREATE_SCHEMA, USE_CATALOG"])
    }
  }

  @Test("effective names ALL_PRIVILEGES sources")
  func effectiveThroughAllPrivileges() async throws {
    try await ServiceFixture.with { fixture in
      try await Self.prepare(fixture)
      try await fixture.succeed(
        "grant", "add", "schema", "production.ml_models", "--principal", "mel@example.com",
        "--privilege", "SELECT", "--privilege", "ALL_PRIVILEGES")

      let listed = try await fixture.succeed(
        "--output", "json", "grant", "effective", "schema", "production.ml_models",
        "--principal", "mel@example.com")
      let select = try listed.jsonArray().first { $0["privilege"] as? String == "SELECT" }
      let sources = select?["sources"] as? [[String: Any]] ?? []
      #expect(sources.count == 2)
      let granted = sources.compactMap { $0["granted_privilege"] as? String }
      #expect(granted.sorted() == ["ALL_PRIVILEGES", "SELECT"])

      let table = try await fixture.succeed(
        "grant", "effective", "schema", "production.ml_models", "--principal", "mel@example.com")
      let selectLine = table.lines.first { $0.hasPrefix("SELECT ") } ?? ""
      #expect(
        selectLine.hasSuffix(
          " direct on production.ml_models; direct on production.ml_models through"
            + " ALL_PRIVILEGES"))
    }
  }

  @Test("metastore grants take no name")
  func metastoreGrant() async throws {
    try await ServiceFixture.with { fixture in
      try await fixture.succeed("principal", "create", "alice@example.com")
      try await fixture.succeed(
        "grant", "add", "metastore", "--principal", "alice@example.com", "--privilege",
        "CREATE_CATALOG")
      let check = try await fixture.edgecat(
        "check", "alice@example.com", "CREATE_CATALOG", "metastore")
      #expect(check.status == 0)
      #expect(check.stdout.hasPrefix("allowed: "))
    }
  }

  @Test("check prints the reason and exits 0 when allowed")
  func checkAllowed() async throws {
    try await ServiceFixture.with { fixture in
      try await Self.prepare(fixture)
      try await fixture.succeed(
        "grant", "add", "catalog", "production", "--principal", "ml-engineers", "--privilege",
        "USE_CATALOG")
      let check = try await fixture.edgecat(
        "--output", "json", "check", "mel@example.com", "USE CATALOG", "catalog", "production")
      #expect(check.status == 0)
      let decision = try check.json()
      #expect(decision["allowed"] as? Bool == true)
      #expect(decision["missing_privileges"] as? [String] == [])
      #expect((decision["reason"] as? String)?.contains("ml-engineers") == true)
    }
  }

  @Test("check prints the missing privileges and exits 1 when denied")
  func checkDenied() async throws {
    try await ServiceFixture.with { fixture in
      try await Self.prepare(fixture)
      try await fixture.succeed(
        "table", "create", "production.ml_models.scores", "--column", "id:INT")
      let text = try await fixture.edgecat(
        "check", "mel@example.com", "SELECT", "table", "production.ml_models.scores")
      #expect(text.status == 1)
      #expect(text.stdout.hasPrefix("denied: SELECT on table production.ml_models.scores"))
      #expect(text.stdout.contains("\nmissing privileges: USE_CATALOG, USE_SCHEMA, SELECT\n"))
      #expect(text.stderr.isEmpty)

      let json = try await fixture.edgecat(
        "--output", "json", "check", "mel@example.com", "SELECT", "table",
        "production.ml_models.scores")
      #expect(json.status == 1)
      #expect(
        try json.json()["missing_privileges"] as? [String] == [
          "USE_CATALOG", "USE_SCHEMA", "SELECT",
        ])
    }
  }

  @Test("check of a privilege the type lacks fails naming it")
  func checkInvalidPrivilege() async throws {
    try await ServiceFixture.with { fixture in
      try await Self.prepare(fixture)
      let result = try await fixture.edgecat(
        "check", "mel@example.com", "CREATE_CATALOG", "catalog", "production")
      #expect(result.status == 1)
      #expect(result.stderr.contains("INVALID_ARGUMENT"))
      #expect(result.stderr.contains("CREATE_CATALOG"))
    }
  }
}
