import EdgecatCLI
import Testing

/// The command line without services: help, version, usage errors and their exit codes.
@Suite("Command line")
struct CommandLineTests {
  /// Runs the binary with no service reachable and no token.
  func edgecat(_ arguments: String...) async throws -> CLIResult {
    try await edgecat(arguments)
  }

  func edgecat(_ arguments: [String]) async throws -> CLIResult {
    try await CLIRunner.run(arguments, environment: ["HOME": "/nonexistent", "PATH": "/usr/bin"])
  }

  @Test("--version prints the version")
  func version() async throws {
    let result = try await edgecat("--version")
    #expect(result.status == 0)
    #expect(result.stdout == "edgecat \(EdgecatCommand.version)\n")
  }

  @Test("no command prints usage and exits 2")
  func noCommand() async throws {
    let result = try await edgecat()
    #expect(result.status == 2)
    #expect(result.stderr.contains("usage: edgecat [global flags] <noun> <verb>"))
    #expect(result.stdout.isEmpty)
  }

  @Test("every noun and verb has help", arguments: EdgecatCommand.nouns.map(\.name))
  func help(noun: String) async throws {
    let nounHelp = try await edgecat(noun, "--help")
    #expect(nounHelp.status == 0)
    #expect(nounHelp.stdout.hasPrefix("usage: edgecat"))
    let entry = try #require(EdgecatCommand.nouns.first { $0.name == noun })
    for verb in entry.verbs {
      // A two-word verb such as `tag set` is two arguments.
      let words = verb.name.split(separator: " ").map(String.init)
      let verbHelp = try await edgecat([noun] + words + ["--help"])
      #expect(verbHelp.status == 0, "\(noun) \(verb.name) --help")
      #expect(verbHelp.stdout.hasPrefix("usage: edgecat \(noun) \(verb.name)"))
      for flag in verb.flags {
        #expect(verbHelp.stdout.contains("--\(flag.name)"), "\(noun) \(verb.name) --\(flag.name)")
      }
    }
  }

  @Test("help lines fit in 100 columns", arguments: EdgecatCommand.nouns.map(\.name))
  func helpWidth(noun: String) async throws {
    let entry = try #require(EdgecatCommand.nouns.first { $0.name == noun })
    let commands =
      [["--help"], [noun, "--help"]]
      + entry.verbs.map { [noun] + $0.name.split(separator: " ").map(String.init) + ["--help"] }
    for arguments in commands {
      let result = try await edgecat(arguments)
      let long = result.lines.filter { $0.count > 100 }
      #expect(long.isEmpty, "\(arguments): \(long)")
    }
  }

  @Test("no verb flag shadows a global flag")
  func flagNames() {
    let globals = Set(GlobalFlag.all.map(\.name))
    for noun in EdgecatCommand.nouns {
      for verb in noun.verbs + (noun.command.map { [$0] } ?? []) {
        for flag in verb.flags {
          #expect(!globals.contains(flag.name), "\(noun.name) \(verb.name) --\(flag.name)")
        }
      }
    }
  }

  @Test("help names the units of flags")
  func helpUnits() async throws {
    let global = try await edgecat("--help")
    #expect(global.stdout.contains("--timeout SECONDS"))
    #expect(global.stdout.contains("in seconds (default: 30)"))
    #expect(global.stdout.contains("EDGECAT_POLICY_ENDPOINT"))
    #expect(global.stdout.contains("policy_endpoint"))
    let token = try await edgecat("token", "create", "--help")
    #expect(token.stdout.contains("--ttl SECONDS"))
    #expect(token.stdout.contains("lifetime in seconds"))
    #expect(global.stdout.contains("--registry-endpoint HOST:PORT"))
    #expect(global.stdout.contains("(default: 127.0.0.1:7404)"))
    let deployment = try await edgecat("deployment", "create", "--help")
    #expect(deployment.stdout.contains("--soak-seconds SECONDS"))
    #expect(deployment.stdout.contains("seconds to wait after a stage"))
    #expect(deployment.stdout.contains("--error-threshold-percent PERCENT"))
    let metrics = try await edgecat("metrics", "--help")
    #expect(metrics.stdout.contains("--window DURATION"))
    #expect(metrics.stdout.contains("such as 15m, 1h or 7d"))
    #expect(metrics.stdout.contains("daily"))
  }

  @Test(
    "usage errors exit 2 naming the value",
    arguments: [
      (["nonsense"], "unknown command \"nonsense\""),
      (["group", "rename"], "unknown verb \"rename\" for edgecat group"),
      (["group"], "edgecat group needs a verb"),
      (["group", "list", "--colour"], "unknown flag --colour for edgecat group list"),
      (["group", "create"], "edgecat group create needs NAME"),
      (["group", "get", "a", "b"], "takes no argument \"b\""),
      (["group", "add-member", "a"], "needs MEMBER"),
      (["--output", "xml", "group", "list"], "--output \"xml\" is not an output format"),
      (["--output"], "--output needs a value"),
      (["--output", "json", "--output", "table", "group", "list"], "--output was given twice"),
      (["--timeout", "-3", "group", "list"], "--timeout \"-3\" is invalid"),
      (["--policy-endpoint", "nowhere", "group", "list"], "--policy-endpoint \"nowhere\""),
      (["group", "list", "--max-results", "0"], "--max-results \"0\" is invalid"),
      (["group", "list", "--page-size", "1001"], "--page-size \"1001\" is invalid"),
      (
        ["principal", "create", "x", "--type", "robot"], "--type \"robot\" is not a principal type"
      ),
      (["principal", "create", "x", "--attribute", "region"], "use KEY=VALUE"),
      (["token", "create", "x", "--ttl", "soon"], "--ttl \"soon\" is invalid"),
      (
        ["token", "create", "x", "--ttl", "315360001"],
        "--ttl \"315360001\" is invalid; use a whole number from 1 to 315360000"
      ),
      (["group", "list"], "no token is set for edgecat-policy"),
      (["catalog", "delete", "x", "--force=yes"], "--force is a switch"),
      (["schema", "create", "ml_models"], "schema name \"ml_models\" is invalid"),
      (
        ["table", "create", "a.b.c", "--column", "id"], "--column \"id\" is invalid; use NAME:TYPE"
      ),
      (["lineage", "get", "a", "--depth", "11"], "--depth \"11\" is invalid"),
      (["grant", "add", "galaxy", "x"], "securable type \"galaxy\" is unknown"),
      (["grant", "add", "catalog"], "needs the catalog's full name"),
      (["grant", "add", "catalog", "c", "--principal", "p"], "needs --privilege"),
      (["check", "alice", "SELECT", "metastore", "extra"], "the metastore has no name"),
      (["model", "tag"], "edgecat model tag needs a verb: set, delete"),
      (["model", "tag", "frob"], "unknown verb \"tag frob\" for edgecat model"),
      (["model", "get", "defects"], "model name \"defects\" is invalid"),
      (["model-version", "get", "a.b.c", "three"], "version \"three\" is invalid"),
      (
        ["model-version", "create", "a.b.c", "--input-tensor", "image"],
        "--input-tensor \"image\" is invalid; use NAME:TYPE[:SHAPE]"
      ),
      (
        [
          "model-version", "create", "a.b.c", "--input-tensor", "x:float32:1,wide",
          "--output-tensor", "y:int64",
        ],
        "has the dimension \"wide\""
      ),
      (["model-version", "create", "a.b.c"], "needs a signature with at least one input"),
      (
        ["model-version", "download", "a.b.c", "1", "/nonexistent/x", "--offset", "5"],
        "--offset 5 is past the end of /nonexistent/x"
      ),
      (["alias", "resolve", "main.ml.defects@champion"], "URI \"main.ml.defects@champion\""),
      (["deployment", "create", "a.b.c"], "needs --version N or --alias ALIAS"),
      (
        ["deployment", "create", "a.b.c", "--version", "1", "--staged", "--stages", "50,10"],
        "--stages \"50,10\" is invalid"
      ),
      (
        ["deployment", "create", "a.b.c", "--version", "1", "--stages", "10,100"], "needs --staged"
      ),
      (
        ["deployment", "create", "a.b.c", "--alias", "c", "--error-threshold-percent", "120"],
        "--error-threshold-percent \"120\" is invalid"
      ),
      (["device", "register", "cam-1", "--label", "zone"], "--label \"zone\" is invalid"),
      (["device", "update", "cam-1"], "needs something to change: --location"),
      (["fleet", "status", "--window", "soon"], "--window \"soon\" is invalid"),
      (["metrics", "--start", "yesterday"], "--start \"yesterday\" is invalid"),
      (["metrics", "--window", "1h", "--end", "2026-05-01 00:00:00"], "--window or --start"),
      (
        ["metrics", "--start", "2026-05-02 00:00:00", "--end", "2026-05-01T00:00:00Z"],
        "--start 2026-05-02 00:00:00 is not before the end 2026-05-01 00:00:00"
      ),
      (["metrics", "--version", "3"], "--version needs --model"),
      (["metrics", "--buckets", "10"], "--buckets needs --chart or --svg"),
      (["metrics", "--chart", "--buckets", "1"], "--buckets \"1\" is invalid"),
      (["metrics", "daily", "--start-day", "May 1"], "--start-day \"May 1\" is invalid"),
      (["alert", "list", "--state", "burning"], "--state \"burning\" is not an alert state"),
      (["alert", "rules"], "edgecat alert rules needs a verb: list, get, create, update, delete"),
      (["alert", "rules", "create", "r", "--metric", "accuracy"], "needs --condition"),
      (
        [
          "alert", "rules", "create", "r", "--metric", "offline", "--condition", "above",
          "--threshold", "5",
        ],
        "needs --severity"
      ),
      (
        [
          "alert", "rules", "create", "r", "--metric", "offline", "--condition", "above",
          "--threshold", "5", "--severity", "info",
        ],
        "needs --action"
      ),
      (
        ["alert", "rules", "create", "r", "--metric", "speed", "--condition", "above"],
        "--metric \"speed\" is invalid; use one of accuracy, p99_latency"
      ),
      (["alert", "rules", "update", "r", "--enabled", "maybe"], "--enabled \"maybe\" is invalid"),
      (["alert", "rules", "update", "r"], "needs something to change: --metric"),
      (["query", "SELECT 1", "-f", "q.sql"], "takes SQL or -f, not both"),
      (["query"], "edgecat query needs a SELECT, but stdin is empty"),
      (["query", " \n"], "edgecat query needs a SELECT, but the SQL argument is empty"),
    ])
  func usageErrors(arguments: [String], message: String) async throws {
    let result = try await CLIRunner.run(arguments, environment: ["HOME": "/nonexistent"])
    #expect(result.status == 2)
    #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
    #expect(result.stderr.hasPrefix("edgecat: "))
    #expect(result.stdout.isEmpty)
  }

  @Test("query reads its SQL from stdin")
  func queryFromStandardInput() async throws {
    let result = try await CLIRunner.run(
      ["--token", "x", "--telemetry-endpoint", "127.0.0.1:1", "query"],
      environment: ["HOME": "/nonexistent"], input: "SELECT 1\n")
    #expect(result.status == 1)
    #expect(result.stderr.contains("edgecat-telemetry at 127.0.0.1:1 returned UNAVAILABLE"))
  }

  @Test("a telemetry noun without its service exits 1 naming the endpoint flag")
  func telemetryUnreachable() async throws {
    let result = try await CLIRunner.run(
      ["--token", "x", "--telemetry-endpoint", "127.0.0.1:1", "fleet", "status"],
      environment: ["HOME": "/nonexistent"])
    #expect(result.status == 1)
    #expect(result.stderr.contains("edgecat-telemetry at 127.0.0.1:1 returned UNAVAILABLE"))
    #expect(result.stderr.contains("set --telemetry-endpoint"))
  }

  @Test("an unreachable service exits 1 naming the endpoint flag")
  func unreachable() async throws {
    let result = try await CLIRunner.run(
      ["--token", "x", "--policy-endpoint", "127.0.0.1:1", "group", "list"],
      environment: ["HOME": "/nonexistent"])
    #expect(result.status == 1)
    #expect(result.stderr.contains("edgecat-policy at 127.0.0.1:1 returned UNAVAILABLE"))
    #expect(result.stderr.contains("set --policy-endpoint"))
  }
}
