import Testing

/// `device` and `deployment` against a live registry.
@Suite("Fleet nouns")
struct FleetNounTests {
  /// Registers cam-1 and cam-2 in group plant-3 and cam-3 in group plant-4.
  func registerDevices(_ fixture: ServiceFixture) async throws {
    for (id, group) in [("cam-1", "plant-3"), ("cam-2", "plant-3"), ("cam-3", "plant-4")] {
      try await fixture.succeed(
        "device", "register", id, "--location", "line-\(id.last!)", "--region", "eu-west",
        "--group", group, "--label", "camera=rgb")
    }
  }

  @Test("device register, list, get, update and deregister")
  func deviceLifecycle() async throws {
    try await ServiceFixture.with(registry: true) { fixture in
      let registered = try await fixture.succeed(
        "--output", "json", "device", "register", "cam-9", "--location", "dock",
        "--region", "us-east", "--group", "plant-9", "--label", "camera=ir", "--label", "tier=1")
      let device = try registered.json()
      #expect(device["device_id"] as? String == "cam-9")
      #expect(device["region"] as? String == "us-east")
      #expect(device["labels"] as? [String: String] == ["camera": "ir", "tier": "1"])
      try await registerDevices(fixture)

      let all = try await fixture.succeed("--output", "json", "device", "list")
      #expect(
        try all.jsonArray().compactMap { $0["device_id"] as? String }
          == ["cam-1", "cam-2", "cam-3", "cam-9"])
      let group = try await fixture.succeed(
        "--output", "json", "device", "list", "--group", "plant-3")
      #expect(
        try group.jsonArray().compactMap { $0["device_id"] as? String } == ["cam-1", "cam-2"])
      let labelled = try await fixture.succeed(
        "--output", "json", "device", "list", "--label", "camera=ir")
      #expect(try labelled.jsonArray().compactMap { $0["device_id"] as? String } == ["cam-9"])
      let table = try await fixture.succeed("device", "list", "--device", "cam-1")
      #expect(table.lines.first?.hasPrefix("DEVICE") == true)
      #expect(table.lines.last?.hasPrefix("cam-1") == true)

      let updated = try await fixture.succeed(
        "--output", "json", "device", "update", "cam-9", "--location", "gate")
      #expect(try updated.json()["location"] as? String == "gate")
      #expect(try updated.json()["group"] as? String == "plant-9")
      let state = try await fixture.succeed(
        "--output", "json", "device", "desired-state", "cam-9")
      #expect(try state.json()["models"] as? [Any] != nil)
      let resent = try await fixture.succeed("device", "resend", "cam-9")
      #expect(resent.stdout == "sent to no device; not connected: cam-9\n")

      let gone = try await fixture.succeed("device", "deregister", "cam-9")
      #expect(gone.stdout == "deregistered cam-9\n")
      let missing = try await fixture.edgecat("device", "get", "cam-9")
      #expect(missing.status == 1)
      #expect(missing.stderr.contains("NOT_FOUND"))
      #expect(missing.stderr.contains("cam-9"))
    }
  }

  @Test("deployment create, get, list, pause, resume and rollback")
  func deploymentLifecycle() async throws {
    try await ServiceFixture.with(registry: true) { fixture in
      try await fixture.createModelNamespace()
      try await registerDevices(fixture)
      try await fixture.succeed(
        ["model-version", "create", "main.ml.defects"] + RegistryNounTests.signature)
      let file = try fixture.write(bytes: [1, 2, 3, 4], to: "model.onnx")
      try await fixture.succeed("model-version", "upload", "main.ml.defects", "1", file)

      // The long stage timeout keeps the roll-out going while the test pauses it.
      let created = try await fixture.succeed(
        "--output", "json", "deployment", "create", "main.ml.defects", "--version", "1",
        "--group", "plant-3", "--staged", "--stages", "50,100", "--soak-seconds", "3600",
        "--stage-timeout-seconds", "3600", "--error-threshold-percent", "0")
      let deployment = try created.json()
      let id = try #require(deployment["deployment_id"] as? String)
      #expect(id.hasPrefix("dep-"))
      #expect(deployment["state"] as? String == "ROLLING_OUT")
      let strategy = try #require(deployment["strategy"] as? [String: Any])
      #expect(strategy["stage_percents"] as? [Int] == [50, 100])
      #expect(strategy["soak_ms"] as? Int == 3_600_000)
      #expect(strategy["error_threshold_percent"] as? Double == 0)
      #expect(deployment["current_stage"] as? Int == 0)
      #expect(deployment["stage"] as? String == "1 of 2")
      let devices = try #require(deployment["devices"] as? [[String: Any]])
      #expect(devices.compactMap { $0["device_id"] as? String } == ["cam-1", "cam-2"])

      let listed = try await fixture.succeed(
        "--output", "json", "deployment", "list", "--model", "main.ml.defects")
      #expect(try listed.jsonArray().compactMap { $0["deployment_id"] as? String } == [id])
      let table = try await fixture.succeed("deployment", "list", "--model", "main.ml.defects")
      #expect(table.stdout.contains("1 of 2"))
      let shown = try await fixture.succeed("deployment", "get", id)
      #expect(shown.stdout.contains("devices:"))
      #expect(shown.stdout.contains("cam-2"))

      let paused = try await fixture.succeed("--output", "json", "deployment", "pause", id)
      #expect(try paused.json()["state"] as? String == "PAUSED")
      let resumed = try await fixture.succeed("--output", "json", "deployment", "resume", id)
      #expect(try resumed.json()["state"] as? String == "ROLLING_OUT")
      let rolledBack = try await fixture.succeed(
        "--output", "json", "deployment", "rollback", id, "--cause", "test")
      #expect(try rolledBack.json()["state"] as? String == "ROLLED_BACK")

      let unknown = try await fixture.edgecat("deployment", "get", "dep-ffff")
      #expect(unknown.status == 1)
      #expect(unknown.stderr.contains("dep-ffff"))
      let nobody = try await fixture.edgecat(
        "deployment", "create", "main.ml.defects", "--version", "1", "--group", "plant-0")
      #expect(nobody.status == 1)
      #expect(nobody.stderr.contains("INVALID_ARGUMENT") || nobody.stderr.contains("FAILED"))
    }
  }

  @Test("an endpoint of another service names the endpoint flag")
  func endpointOfAnotherService() async throws {
    try await ServiceFixture.with { fixture in
      let policy = fixture.policyEndpoint.description
      let result = try await fixture.edgecat(
        "--telemetry-endpoint", policy, "fleet", "status")
      #expect(result.status == 1)
      #expect(
        result.stderr.contains(
          "\(policy) does not serve edgecat.telemetry.v1.TelemetryService"))
      #expect(result.stderr.contains("check --telemetry-endpoint"))
      #expect(!result.stderr.contains("update it"))
    }
  }
}
