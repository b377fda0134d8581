import Testing

/// `principal`, `group` and `token` against a live policy service.
@Suite("Principal, group and token nouns")
struct PrincipalNounTests {
  @Test("principal create, get, set-attribute, list and delete")
  func principalLifecycle() async throws {
    try await ServiceFixture.with { fixture in
      let created = try await fixture.succeed(
        "--output", "json", "principal", "create", "dana@example.com", "--attribute", "region=eu")
      let principal = try created.json()
      #expect(principal["name"] as? String == "dana@example.com")
      #expect(principal["type"] as? String == "USER")
      #expect((principal["attributes"] as? [String: String])?["region"] == "eu")

      let service = try await fixture.succeed(
        "--output", "json", "principal", "create", "device:press-01")
      #expect(try service.json()["type"] as? String == "SERVICE_PRINCIPAL")

      let updated = try await fixture.succeed(
        "--output", "json", "principal", "set-attribute", "dana@example.com", "team", "vision")
      let attributes = try updated.json()["attributes"] as? [String: String]
      #expect(attributes == ["region": "eu", "team": "vision"])

      let details = try await fixture.succeed("principal", "get", "dana@example.com")
      #expect(details.stdout.contains("attributes.team    vision"))

      let users = try await fixture.succeed(
        "--output", "json", "principal", "list", "--type", "user")
      let names = try users.jsonArray().compactMap { $0["name"] as? String }
      #expect(names == [ServiceFixture.admin, "dana@example.com"])

      let deleted = try await fixture.succeed("principal", "delete", "dana@example.com")
      #expect(deleted.stdout == "deleted principal dana@example.com\n")
      let missing = try await fixture.edgecat("principal", "get", "dana@example.com")
      #expect(missing.status == 1)
      #expect(missing.stderr.contains("NOT_FOUND"))
      #expect(missing.stderr.contains("dana@example.com"))
    }
  }

  @Test("group create, add-member, get, list, remove-member and delete")
  func groupLifecycle() async throws {
    try await ServiceFixture.with { fixture in
      try await fixture.succeed("group", "create", "ml-engineers")
      try await fixture.succeed("principal", "create", "mel@example.com")
      let added = try await fixture.succeed(
        "group", "add-member", "ml-engineers", "mel@example.com")
      #expect(added.stdout == "added mel@example.com to ml-engineers\n")

      let group = try await fixture.succeed("--output", "json", "group", "get", "ml-engineers")
      #expect(try group.json()["members"] as? [String] == ["mel@example.com"])
      let member = try await fixture.succeed(
        "--output", "json", "principal", "get", "mel@example.com")
      #expect(try member.json()["groups"] as? [String] == ["ml-engineers"])

      let groups = try await fixture.succeed("--output", "json", "group", "list")
      let names = try groups.jsonArray().compactMap { $0["name"] as? String }
      #expect(names.contains("ml-engineers"))
      #expect(names.contains("metastore-admins"))
      #expect(!names.contains("mel@example.com"))

      try await fixture.succeed("group", "remove-member", "ml-engineers", "mel@example.com")
      let emptied = try await fixture.succeed("--output", "json", "group", "get", "ml-engineers")
      #expect(try emptied.json()["members"] as? [String] == [])
      try await fixture.succeed("group", "delete", "ml-engineers")
      let afterDelete = try await fixture.edgecat("group", "get", "ml-engineers")
      #expect(afterDelete.status == 1)
    }
  }

  @Test("a membership cycle fails naming the groups")
  func membershipCycle() async throws {
    try await ServiceFixture.with { fixture in
      try await fixture.succeed("group", "create", "a")
      try await fixture.succeed("group", "create", "b")
      try await fixture.succeed("group", "add-member", "a", "b")
      let cycle = try await fixture.edgecat("group", "add-member", "b", "a")
      #expect(cycle.status == 1)
      #expect(cycle.stderr.contains("INVALID_ARGUMENT"))
    }
  }

  @Test("token create, whoami, list and revoke")
  func tokenLifecycle() async throws {
    try await ServiceFixture.with { fixture in
      try await fixture.succeed("principal", "create", "ci@example.com")
      let created = try await fixture.succeed(
        "--output", "json", "token", "create", "ci@example.com", "--comment", "ci pipeline",
        "--ttl", "3600")
      let token = try created.json()
      let secret = try #require(token["token"] as? String)
      let id = try #require(token["token_id"] as? String)
      #expect(token["comment"] as? String == "ci pipeline")
      #expect((token["expires_at"] as? String)?.isEmpty == false)
      let createdAt = try #require(token["created_at"] as? String)
      #expect(!createdAt.isEmpty)

      let whoami = try await fixture.edgecat(
        "--output", "json", "token", "whoami",
        environment: ["EDGECAT_TOKEN_FILE": nil, "EDGECAT_TOKEN": secret])
      #expect(whoami.status == 0)
      #expect(try whoami.json()["principal"] as? String == "ci@example.com")

      let listed = try await fixture.succeed("token", "list", "--principal", "ci@example.com")
      #expect(listed.lines.count == 2)
      #expect(listed.lines.first?.hasPrefix("TOKEN_ID") == true)
      #expect(listed.stdout.contains(id))
      #expect(listed.stdout.contains(createdAt))
      #expect(!listed.stdout.contains(secret))

      try await fixture.succeed("token", "revoke", id)
      let revoked = try await fixture.edgecat(
        "token", "whoami", environment: ["EDGECAT_TOKEN_FILE": nil, "EDGECAT_TOKEN": secret])
      #expect(revoked.status == 1)
      #expect(revoked.stderr.contains("UNAUTHENTICATED"))
      #expect(revoked.stderr.contains("EDGECAT_TOKEN"))
    }
  }
}
