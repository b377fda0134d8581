import EdgecatRPC
import EdgecatServiceKit
import Testing

@Suite("Flag parsing")
struct FlagParserTests {
  let parser = FlagParser(
    program: "edgecat-test", summary: "A test program.",
    flags: [
      Flag("listen", default: "127.0.0.1:7401", help: "HOST:PORT to serve on"),
      Flag("data-dir", help: "data folder"),
      Flag("bootstrap-service", repeatable: true, help: "NAME=PATH"),
    ])

  @Test("default applies when nothing is given")
  func defaults() throws {
    let flags = try parser.parse([], environment: [:])
    #expect(flags["listen"] == "127.0.0.1:7401")
    #expect(flags["data-dir"] == nil)
  }

  @Test("flag beats environment beats default")
  func precedence() throws {
    let environment = ["EDGECAT_LISTEN": "127.0.0.1:9000", "EDGECAT_DATA_DIR": "/env"]
    let fromEnvironment = try parser.parse([], environment: environment)
    #expect(fromEnvironment["listen"] == "127.0.0.1:9000")
    let fromFlag = try parser.parse(["--listen", "127.0.0.1:9001"], environment: environment)
    #expect(fromFlag["listen"] == "127.0.0.1:9001")
    #expect(fromFlag["data-dir"] == "/env")
  }

  @Test("equals form and repeatable flags")
  func equalsAndRepeat() throws {
    let flags = try parser.parse(
      ["--data-dir=/x", "--bootstrap-service", "a=1", "--bootstrap-service=b=2"], environment: [:])
    #expect(flags["data-dir"] == "/x")
    #expect(flags.all("bootstrap-service") == ["a=1", "b=2"])
  }

  @Test(
    "usage errors name the flag",
    arguments: [
      (["--nope", "1"], "--nope"), (["--listen"], "--listen"), (["stray"], "stray"),
      (["--data-dir", "a", "--data-dir", "b"], "--data-dir"),
    ])
  func usageErrors(arguments: [String], named: String) {
    #expect {
      _ = try parser.parse(arguments, environment: [:])
    } throws: { error in
      (error as? UsageError)?.message.contains(named) == true
    }
  }

  @Test("usage lists every flag with its environment variable")
  func usageText() {
    #expect(parser.usage.contains("--data-dir VALUE"))
    #expect(parser.usage.contains("EDGECAT_BOOTSTRAP_SERVICE"))
    #expect(parser.usage.contains("(default 127.0.0.1:7401)"))
  }

  @Test("service options reject a bad endpoint")
  func badEndpoint() throws {
    let flags = try FlagParser(
      program: "edgecat-test", summary: "",
      flags: ServiceOptions.commonFlags(name: "test", defaultPort: 7400)
    ).parse(["--policy-endpoint", "nowhere"], environment: [:])
    #expect {
      _ = try ServiceOptions(flags: flags)
    } throws: { error in
      (error as? UsageError)?.message.contains("--policy-endpoint") == true
    }
  }

  @Test("service options list only called services")
  func onlyCalledServices() throws {
    let parser = FlagParser(
      program: "edgecat-test", summary: "",
      flags: ServiceOptions.commonFlags(
        name: "test", defaultPort: 7400, calls: ["policy"], servesEnvironments: false))

    #expect(parser.usage.contains("--policy-endpoint"))
    #expect(parser.usage.contains("--token-file"))
    #expect(!parser.usage.contains("--registry-endpoint"))
    #expect(!parser.usage.contains("--environment"))
    #expect(throws: UsageError.self) {
      _ = try parser.parse(["--registry-endpoint", "127.0.0.1:1"], environment: [:])
    }
    let options = try ServiceOptions(flags: try parser.parse([], environment: [:]))
    #expect(options.policyEndpoint == Endpoint(host: "127.0.0.1", port: 7401))
    #expect(options.registryEndpoint == Endpoint(host: "127.0.0.1", port: 7403))
  }

  @Test("bearer token parsing")
  func bearer() {
    var metadata = Metadata()
    metadata.add("authorization", "Bearer abc")
    #expect(EdgecatMetadata.bearerToken(metadata) == "abc")
    var basic = Metadata()
    basic.add("authorization", "Basic abc")
    #expect(EdgecatMetadata.bearerToken(basic) == nil)
    #expect(EdgecatMetadata.bearerToken(Metadata()) == nil)
  }

  @Test("bearer token cache follows the header")
  func bearerCache() {
    let cache = BearerTokenCache()
    var first = Metadata()
    first.add("authorization", "Bearer abc")
    var second = Metadata()
    second.add("authorization", "Bearer xyz")
    var basic = Metadata()
    basic.add("authorization", "Basic abc")
    #expect(cache.token(first) == "abc")
    #expect(cache.token(first) == "abc")
    #expect(cache.token(second) == "xyz")
    #expect(cache.token(basic) == nil)
    #expect(cache.token(Metadata()) == nil)
    #expect(cache.token(first) == "abc")
  }

  @Test("bearer token scheme and spaces", arguments: [
    ("Bearer abc", "abc"), ("bearer abc", "abc"), ("BEARER abc", "abc"),
    ("Bearer    abc def", "abc def"), ("Bearer ", nil), ("Bearer    ", nil), ("Bearer", nil),
    ("Bearerabc", nil), ("Bear abc", nil), ("", nil), ("Bearer t\u{00E9}", "t\u{00E9}"),
    ("Bearer \u{0301}abc", nil),
  ] as [(String, String?)])
  func bearerScheme(value: String, expected: String?) {
    var metadata = Metadata()
    metadata.add("authorization", value)
    #expect(EdgecatMetadata.bearerToken(metadata) == expected)
  }
}
