import EdgecatAgent
import EdgecatFlags
import EdgecatTestSupport
import Glibc
import Testing

@Suite("Agent options")
struct AgentOptionsTests {
  static let required = ["--device-id", "dev-1", "--token-file", "/run/device-token"]

  @Test("defaults")
  func defaults() throws {
    let options = try AgentOptions.parse(Self.required, environment: [:])
    #expect(options.deviceID == "dev-1")
    #expect(options.listen.description == "127.0.0.1:7410")
    #expect(options.registryEndpoint.description == "127.0.0.1:7403")
    #expect(options.telemetryEndpoint.description == "127.0.0.1:7404")
    #expect(options.dataDirectory == "./var/agent")
    #expect(options.localTokenFile == "./var/agent/local-token")
    #expect(options.heartbeatInterval == .milliseconds(30_000))
    #expect(options.spoolMaximumBytes == 1 << 30)
    #expect(options.batchRecords == 1000)
    #expect(options.window == 8)
    #expect(options.healthCommand == nil)
  }

  @Test("flags beat the environment, which beats the config file")
  func precedence() throws {
    let folder = TemporaryDirectory()
    defer { folder.remove() }
    let path = folder.file("agent.ini")
    writeText(
      """
      # edge agent
      [agent]
      window = 3
      batch_records=50
      health-command = "test -s $EDGECAT_MODEL_PATH"
      heartbeat-interval-ms = 1000

      """, to: path)
    let options = try AgentOptions.parse(
      Self.required + ["--config", path, "--heartbeat-interval-ms", "2000"],
      environment: ["EDGECAT_WINDOW": "5", "EDGECAT_HEARTBEAT_INTERVAL_MS": "7000"])
    #expect(options.window == 5)
    #expect(options.batchRecords == 50)
    #expect(options.healthCommand == "test -s $EDGECAT_MODEL_PATH")
    #expect(options.heartbeatInterval == .milliseconds(2000))
  }

  @Test(
    "invalid settings are usage errors naming them",
    arguments: [
      (["--token-file", "t"], "--device-id"),
      (["--device-id", "dev 1", "--token-file", "t"], "--device-id"),
      (["--device-id", "dev-1"], "--token-file"),
      (required + ["--window", "0"], "--window"),
      (required + ["--spool-max-bytes", "lots"], "--spool-max-bytes"),
      (required + ["--listen", "localhost"], "--listen"),
      (required + ["--config", "/nonexistent/agent.ini"], "/nonexistent/agent.ini"),
    ])
  func invalid(arguments: [String], named: String) {
    #expect {
      _ = try AgentOptions.parse(arguments, environment: [:])
    } throws: { error in
      (error as? UsageError)?.message.contains(named) == true
    }
  }

  @Test("unknown config setting names its line")
  func unknownSetting() {
    let folder = TemporaryDirectory()
    defer { folder.remove() }
    let path = folder.file("agent.conf")
    writeText("window = 2\nspool-size = 10\n", to: path)
    #expect {
      _ = try AgentOptions.parse(Self.required + ["--config", path], environment: [:])
    } throws: { error in
      (error as? UsageError)?.message.contains("line 2") == true
    }
  }

  @Test("local token file is created once with mode 0600")
  func localToken() throws {
    let folder = TemporaryDirectory()
    defer { folder.remove() }
    let path = folder.file("local-token")
    let created = try LocalToken.loadOrCreate(at: path)
    let again = try LocalToken.loadOrCreate(at: path)
    var info = stat()
    #expect(stat(path, &info) == 0)
    #expect(info.st_mode & 0o777 == 0o600)
    #expect(created.count >= 32)
    #expect(again == created)
  }
}
