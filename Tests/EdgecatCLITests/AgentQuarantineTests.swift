import Foundation
import Testing

@testable import EdgecatCLI

/// `edgecat agent quarantine` against an agent's local service over a real spool.
@Suite("Agent quarantine commands")
struct AgentQuarantineTests {
  /// Bytes one record of `AgentFixture.quarantine` counts: 64 + 15 + 64.
  static let recordBytes: Int64 = 143

  @Test("list prints a table of records then labels")
  func listTable() async throws {
    try await AgentFixture.with { agent in
      try await agent.quarantine(records: 6, quarantinedSeqs: [2, 4, 5], labelSeqs: [7])
      let result = try await agent.succeed("agent", "quarantine", "list")
      let lines = result.lines
      #expect(lines.count == 5, "stdout: \(result.stdout)")
      #expect(
        lines.first?.split(separator: " ", omittingEmptySubsequences: true)
          == ["ID", "QUARANTINED_AT", "ENTRY", "STATUS", "MESSAGE"])
      let ids = lines.dropFirst().map { String($0.prefix { $0 != " " }) }
      #expect(ids == ["record:2", "record:4", "record:5", "label:1"])
      #expect(lines[1].contains("main.ml.defects/4 at 2023-11-14 22:13:21"))
      #expect(lines[1].contains("INVALID_ARGUMENT"))
      #expect(lines[1].hasSuffix(AgentFixture.message(seq: 2)))
      #expect(lines[4].contains("label 1.0 of seq 7"))
      #expect(lines[4].contains("FAILED_PRECONDITION"))
      #expect(lines[4].hasSuffix("label of an unknown record"))
    }
  }

  @Test("list with nothing quarantined prints none")
  func listEmpty() async throws {
    try await AgentFixture.with { agent in
      let table = try await agent.succeed("agent", "quarantine", "list")
      #expect(table.stdout == "(none)\n")
      let json = try await agent.succeed("--output", "json", "agent", "quarantine", "list")
      #expect(try json.jsonArray().isEmpty)
    }
  }

  @Test("list prints JSON with every field")
  func listJSON() async throws {
    try await AgentFixture.with { agent in
      try await agent.quarantine(records: 3, quarantinedSeqs: [3], labelSeqs: [1])
      let result = try await agent.succeed("agent", "quarantine", "list", "--output", "json")
      let entries = try result.jsonArray()
      #expect(entries.count == 2)
      let record = try #require(entries.first)
      #expect(record["id"] as? String == "record:3")
      #expect(record["kind"] as? String == "record")
      #expect(record["epoch"] as? String == agent.spool.epoch)
      #expect(record["seq"] as? Int == 3)
      #expect(record["model_full_name"] as? String == AgentFixture.model)
      #expect(record["model_version"] as? Int == 4)
      #expect(record["timestamp_ms"] as? Int == 1_700_000_002_000)
      #expect(record["status"] as? String == "INVALID_ARGUMENT")
      #expect(record["status_code"] as? Int == 3)
      #expect(record["status_message"] as? String == AgentFixture.message(seq: 3))
      #expect((record["quarantined_ms"] as? Int ?? 0) > 1_700_000_000_000)
      let label = try #require(entries.last)
      #expect(label["id"] as? String == "label:1")
      #expect(label["kind"] as? String == "label")
      #expect(label["label_id"] as? Int == 1)
      #expect(label["seq"] as? Int == 1)
      #expect(label["label"] as? Double == 1)
      #expect(label["status"] as? String == "FAILED_PRECONDITION")
    }
  }

  @Test("list follows pages and stops at --max-results")
  func listPages() async throws {
    try await AgentFixture.with { agent in
      try await agent.quarantine(records: 5, quarantinedSeqs: [1, 2, 3, 4, 5], labelSeqs: [1, 2])
      let paged = try await agent.succeed(
        "--output", "json", "agent", "quarantine", "list", "--page-size", "2")
      let ids = try paged.jsonArray().map { $0["id"] as? String }
      #expect(
        ids == ["record:1", "record:2", "record:3", "record:4", "record:5", "label:1", "label:2"])
      let capped = try await agent.succeed(
        "--output", "json", "agent", "quarantine", "list", "--max-results", "3", "--page-size",
        "2")
      #expect(
        try capped.jsonArray().map { $0["id"] as? String } == ["record:1", "record:2", "record:3"])
      let bad = try await agent.edgecat("agent", "quarantine", "list", "--page-size", "1001")
      #expect(bad.status == 2)
      #expect(bad.stderr.contains("--page-size \"1001\" is invalid; use a whole number from 1"))
    }
  }

  @Test("resend moves named entries back to the pending queue")
  func resendSome() async throws {
    try await AgentFixture.with { agent in
      let labels = try await agent.quarantine(
        records: 6, quarantinedSeqs: [2, 4, 5], labelSeqs: [6])
      let result = try await agent.succeed(
        "agent", "quarantine", "resend", "record:4", "label:\(labels[0])", "record:4")
      #expect(result.stdout == "moved 1 record and 1 label back to the pending queue\n")
      #expect(try await agent.quarantinedSeqs() == [2, 5])
      #expect(try await agent.quarantinedLabelIDs().isEmpty)
      #expect(agent.spool.statistics.records == 4)
      #expect(agent.spool.statistics.labels == 1)
      #expect(agent.spool.statistics.quarantined == 2)

      let listed = try await agent.succeed("--output", "json", "agent", "quarantine", "list")
      #expect(try listed.jsonArray().map { $0["id"] as? String } == ["record:2", "record:5"])
    }
  }

  @Test("resend --all moves every entry and prints JSON counts")
  func resendAll() async throws {
    try await AgentFixture.with { agent in
      try await agent.quarantine(records: 4, quarantinedSeqs: [1, 3], labelSeqs: [2, 4])
      let result = try await agent.succeed(
        "--output", "json", "agent", "quarantine", "resend", "--all")
      let counts = try result.json()
      #expect(counts["records"] as? Int == 2)
      #expect(counts["labels"] as? Int == 2)
      #expect(agent.spool.statistics.quarantined == 0)
      #expect(agent.spool.statistics.records == 4)
      #expect(agent.spool.statistics.labels == 2)
    }
  }

  @Test("discard deletes named entries and prints the bytes freed")
  func discardSome() async throws {
    try await AgentFixture.with { agent in
      try await agent.quarantine(records: 3, quarantinedSeqs: [1, 2, 3])
      let before = agent.spool.statistics.bytes
      let result = try await agent.succeed("agent", "quarantine", "discard", "record:1", "record:3")
      #expect(
        result.stdout
          == "discarded 2 records and 0 labels, freeing \(2 * Self.recordBytes) bytes of the"
          + " spool\n")
      #expect(try await agent.quarantinedSeqs() == [2])
      #expect(agent.spool.statistics.bytes == before - 2 * Self.recordBytes)
      #expect(agent.spool.statistics.quarantined == 1)
    }
  }

  @Test("discard --all needs --force")
  func discardAllNeedsForce() async throws {
    try await AgentFixture.with { agent in
      try await agent.quarantine(records: 2, quarantinedSeqs: [1, 2], labelSeqs: [1])
      let rejected = try await agent.edgecat("agent", "quarantine", "discard", "--all")
      #expect(rejected.status == 2)
      #expect(
        rejected.stderr.contains(
          "edgecat agent quarantine discard --all deletes every quarantined record and label"
            + " for good; add --force to confirm"))
      #expect(rejected.stdout.isEmpty)
      #expect(agent.spool.statistics.quarantined == 3)

      let bytes = agent.spool.statistics.bytes
      let result = try await agent.succeed(
        "--output", "json", "agent", "quarantine", "discard", "--all", "--force")
      let counts = try result.json()
      #expect(counts["records"] as? Int == 2)
      #expect(counts["labels"] as? Int == 1)
      #expect(counts["bytes"] as? Int == Int(bytes))
      #expect(agent.spool.statistics.quarantined == 0)
      #expect(agent.spool.statistics.bytes == 0)
    }
  }

  @Test("unknown IDs are NOT_FOUND and change nothing", arguments: ["resend", "discard"])
  func unknownIDs(verb: String) async throws {
    try await AgentFixture.with { agent in
      try await agent.quarantine(records: 3, quarantinedSeqs: [2])
      let result = try await agent.edgecat(
        "agent", "quarantine", verb, "record:2", "record:99", "label:7")
      #expect(result.status == 1)
      #expect(result.stderr.contains("edgecat-agent at \(agent.endpoint) returned NOT_FOUND"))
      #expect(result.stderr.contains("no quarantined record has seq 99"))
      #expect(result.stderr.contains("no quarantined label has id 7"))
      #expect(result.stderr.contains("run edgecat agent quarantine list for the IDs"))
      #expect(try await agent.quarantinedSeqs() == [2])
      #expect(agent.spool.statistics.records == 2)
    }
  }

  @Test(
    "bad selections are usage errors",
    arguments: [
      (["resend"], "edgecat agent quarantine resend needs IDs or --all"),
      (["discard"], "edgecat agent quarantine discard needs IDs or --all"),
      (["resend", "--all", "record:2"], "takes --all or IDs, not both"),
      (["discard", "--all", "--force", "label:1"], "takes --all or IDs, not both"),
      (["discard", "2"], "ID \"2\" is invalid; use record:SEQ or label:ID"),
      (["resend", "record:0"], "ID \"record:0\" is invalid"),
      (["resend", "seq:4"], "ID \"seq:4\" is invalid"),
      (["resend", "label:x"], "ID \"label:x\" is invalid"),
      (["resend", "record:9223372036854775808"], "ID \"record:9223372036854775808\" is invalid"),
    ])
  func badSelections(arguments: [String], message: String) async throws {
    try await AgentFixture.with { agent in
      try await agent.quarantine(records: 2, quarantinedSeqs: [2])
      let result = try await CLIRunner.run(
        ["agent", "quarantine"] + arguments, environment: agent.environment)
      #expect(result.status == 2)
      #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
      #expect(result.stdout.isEmpty)
      #expect(try await agent.quarantinedSeqs() == [2])
    }
  }

  @Test("more than 10,000 IDs are a usage error")
  func tooManyIDs() async throws {
    try await AgentFixture.with { agent in
      let ids = (1...10_001).map { "record:\($0)" }
      let result = try await CLIRunner.run(
        ["agent", "quarantine", "discard"] + ids, environment: agent.environment)
      #expect(result.status == 2)
      #expect(result.stderr.contains("names 10001 entries; the agent takes at most 10000"))
    }
  }

  @Test("an unreachable agent names the address and the flag")
  func unreachable() async throws {
    try await AgentFixture.with { agent in
      let result = try await agent.edgecat(
        "agent", "quarantine", "list", environment: ["EDGECAT_AGENT_ENDPOINT": "127.0.0.1:1"])
      #expect(result.status == 1)
      #expect(result.stderr.contains("edgecat-agent at 127.0.0.1:1 returned UNAVAILABLE"))
      #expect(result.stderr.contains("set --agent-endpoint or EDGECAT_AGENT_ENDPOINT"))
    }
  }

  @Test("a bad endpoint is a usage error")
  func badEndpoint() async throws {
    try await AgentFixture.with { agent in
      let result = try await agent.edgecat(
        "agent", "quarantine", "list", "--agent-endpoint", "localhost")
      #expect(result.status == 2)
      #expect(result.stderr.contains("--agent-endpoint \"localhost\" is not an endpoint"))
    }
  }

  @Test("a wrong token passes on UNAUTHENTICATED with the fix")
  func wrongToken() async throws {
    try await AgentFixture.with { agent in
      let file = agent.folder + "/other-token"
      try "not-the-local-token\n".write(toFile: file, atomically: true, encoding: .utf8)
      let result = try await agent.edgecat(
        "agent", "quarantine", "discard", "record:1", "--agent-token-file", file)
      #expect(result.status == 1)
      #expect(result.stderr.contains("returned UNAUTHENTICATED: the bearer token is not the"))
      #expect(
        result.stderr.contains(
          "check that --agent-token-file \(file) is the --local-token-file of the agent at"
            + " \(agent.endpoint)"))
    }
  }

  @Test("a missing token file names the file and the ways to set it")
  func missingTokenFile() async throws {
    try await AgentFixture.with { agent in
      let file = agent.folder + "/missing-token"
      let result = try await agent.edgecat(
        "agent", "quarantine", "list", environment: ["EDGECAT_AGENT_TOKEN_FILE": file])
      #expect(result.status == 2)
      #expect(
        result.stderr.contains(
          "cannot read the agent's local token from EDGECAT_AGENT_TOKEN_FILE \(file)"))
      #expect(result.stderr.contains("No such file or directory"))
      #expect(result.stderr.contains("pass --agent-token-file with the path of the agent's"))

      // Only commands that call the agent read its token file.
      let other = try await agent.edgecat(
        "group", "list", environment: ["EDGECAT_AGENT_TOKEN_FILE": file, "EDGECAT_TOKEN": "x"])
      #expect(other.status == 1)
      #expect(other.stderr.contains("edgecat-policy at 127.0.0.1:1 returned UNAVAILABLE"))
    }
  }

  @Test("the default token file is the agent's default")
  func defaultTokenFile() async throws {
    try await AgentFixture.with { agent in
      // The binary runs in this process's folder, which has no agent token of its own.
      guard !FileManager.default.fileExists(atPath: "./var/agent/local-token") else { return }
      let result = try await agent.edgecat(
        "agent", "quarantine", "list", environment: ["EDGECAT_AGENT_TOKEN_FILE": nil])
      #expect(result.status == 2)
      #expect(
        result.stderr.contains(
          "from the default agent token file ./var/agent/local-token"))
    }
  }

  @Test("an unreadable or empty token file is a usage error")
  func unreadableTokenFile() async throws {
    try await AgentFixture.with { agent in
      let folder = agent.folder
      let directory = try await agent.edgecat(
        "agent", "quarantine", "list", "--agent-token-file", folder)
      #expect(directory.status == 2)
      #expect(directory.stderr.contains("cannot read \(folder)"))

      let empty = agent.folder + "/empty-token"
      try "\n".write(toFile: empty, atomically: true, encoding: .utf8)
      let result = try await agent.edgecat(
        "agent", "quarantine", "list", "--agent-token-file", empty)
      #expect(result.status == 2)
      #expect(
        result.stderr.contains(
          "--agent-token-file \(empty) is empty, so it contains no local token"))
    }
  }

  @Test("a token file this user may not read names the fix")
  func tokenFilePermissionDenied() throws {
    // Root reads every file, so the file system's EACCES comes from a console instead.
    let console = Console(
      writeOutput: { _ in }, writeError: { _ in }, readStandardInput: { "" },
      readFile: { path in
        throw CLIError.failure("cannot open \(path): Permission denied")
      }, standardInputIsTerminal: { false })
    var settings = Settings()
    settings.agentTokenFile = "/var/lib/edgecat-agent/local-token"
    settings.agentTokenFileOrigin = "--agent-token-file"
    let error = #expect(throws: CLIError.self) { try settings.agentToken(console: console) }
    #expect(error?.exitCode == 2)
    #expect(
      error?.message
        == "cannot read the agent's local token from --agent-token-file"
        + " /var/lib/edgecat-agent/local-token (cannot open /var/lib/edgecat-agent/local-token:"
        + " Permission denied); run edgecat as a user that can read the file, such as the"
        + " agent's own user")
  }

  @Test("a profile sets the endpoint and token file")
  func profileSettings() async throws {
    try await AgentFixture.with { agent in
      try await agent.quarantine(records: 1, quarantinedSeqs: [1])
      let config = agent.folder + "/config"
      try "[device]\nagent_endpoint = \(agent.endpoint)\nagent_token_file = \(agent.tokenFile)\n"
        .write(toFile: config, atomically: true, encoding: .utf8)
      let result = try await agent.edgecat(
        "--config-file", config, "--profile", "device", "agent", "quarantine", "list",
        environment: ["EDGECAT_AGENT_ENDPOINT": nil, "EDGECAT_AGENT_TOKEN_FILE": nil])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      #expect(result.lines.count == 2)
      #expect(result.lines.last?.hasPrefix("record:1 ") == true)
    }
  }

  @Test("help names the verbs, the flags and the settings")
  func help() async throws {
    try await AgentFixture.with { agent in
      let noun = try await agent.succeed("agent", "--help")
      #expect(noun.stdout.contains("quarantine list"))
      #expect(noun.stdout.contains("quarantine resend"))
      #expect(noun.stdout.contains("quarantine discard"))
      let discard = try await agent.succeed("agent", "quarantine", "discard", "--help")
      #expect(discard.stdout.hasPrefix("usage: edgecat agent quarantine discard [ID...] [flags]"))
      #expect(discard.stdout.contains("--force"))
      #expect(discard.stdout.contains("--agent-endpoint (default: 127.0.0.1:7410"))
      #expect(discard.stdout.contains("EDGECAT_AGENT_TOKEN_FILE"))
      let program = try await agent.succeed("--help")
      #expect(program.stdout.contains("--agent-endpoint HOST:PORT"))
      #expect(program.stdout.contains("--agent-token-file PATH"))
      let group = try await agent.edgecat("agent", "quarantine")
      #expect(group.status == 2)
      #expect(
        group.stderr.contains("edgecat agent quarantine needs a verb: list, resend, discard"))
    }
  }

  @Test("non-finite label shown by name")
  func nonFiniteLabel() {
    #expect(QuarantineJSON.number(0.5).cellText == "0.5")
    #expect(QuarantineJSON.number(.nan).cellText == "NaN")
    #expect(QuarantineJSON.number(.infinity).cellText == "Infinity")
    #expect(QuarantineJSON.number(-.infinity).cellText == "-Infinity")
  }
}
