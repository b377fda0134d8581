/// The `edgecat` program: parses the command line, resolves the settings, runs one command
/// and prints its result.
public enum EdgecatCommand {
  /// The version `edgecat --version` prints.
  public static let version = "0.1.0"

  /// Every noun, in the order `edgecat --help` lists them.
  public static let nouns: [Noun] =
    [
      PrincipalCommands.noun, GroupCommands.noun, TokenCommands.noun, CatalogCommands.noun,
      SchemaCommands.noun, TableCommands.noun, VolumeCommands.noun, FunctionCommands.noun,
      GrantCommands.noun, LineageCommands.noun, AuditCommands.noun, CheckCommand.noun,
      SQLCommand.noun, ModelCommands.noun, ModelVersionCommands.noun, AliasCommands.noun,
      DeploymentCommands.noun, DeviceCommands.noun, FleetCommands.noun, MetricsCommands.noun,
      AlertCommands.noun, QueryCommand.noun, AgentCommands.noun,
    ]

  /// Runs `edgecat` with `arguments` (without the program name) and returns the exit status.
  public static func run(
    arguments: [String], environment: [String: String], console: Console = .standard
  ) async -> Int32 {
    do {
      return try await runThrowing(arguments, environment: environment, console: console)
    } catch let error as CLIError {
      console.writeError("edgecat: \(error.message)\n")
      return error.exitCode
    } catch {
      console.writeError("edgecat: \(error)\n")
      return 1
    }
  }

  private static func runThrowing(
    _ arguments: [String], environment: [String: String], console: Console
  ) async throws -> Int32 {
    let line = try CommandLineParser(nouns: nouns).parse(arguments)
    if line.wantsHelp {
      console.writeOutput(helpText(for: line))
      return 0
    }
    guard let noun = line.noun else {
      if line.wantsVersion {
        console.writeOutput("edgecat \(version)\n")
        return 0
      }
      console.writeError(Help.program(nouns))
      return 2
    }
    if let service = noun.missingService {
      throw CLIError.failure(
        "edgecat \(noun.name) needs \(service.program), which this version of edgecat does"
          + " not include yet")
    }
    guard let verb = line.verb else {
      let group = line.verbGroup.map { " \($0)" } ?? ""
      let names = noun.verbs.map(\.name).compactMap { name -> String? in
        guard let prefix = line.verbGroup else { return name }
        return name.hasPrefix(prefix + " ") ? String(name.dropFirst(prefix.count + 1)) : nil
      }
      throw CLIError.usage(
        "edgecat \(noun.name)\(group) needs a verb: \(names.joined(separator: ", "))"
          + "; run edgecat \(noun.name) --help")
    }
    try checkPositionals(line.arguments, of: verb)

    let settings = try Settings.resolve(
      flags: line.globals, environment: environment, console: console)
    let clients = ServiceClients(settings: settings)
    defer { clients.close() }
    let invocation = Invocation(
      arguments: line.arguments, settings: settings, clients: clients, console: console)
    let output = try await verb.run(invocation)
    return output.print(settings.output, to: console)
  }

  private static func helpText(for line: ParsedCommandLine) -> String {
    guard let noun = line.noun, noun.missingService == nil else { return Help.program(nouns) }
    guard let verb = line.verb, verb.name != noun.command?.name else { return Help.noun(noun) }
    return Help.verb(verb, path: "edgecat \(noun.name) \(verb.name)")
  }

  /// Checks the number of positional arguments against the verb's, naming what is missing or
  /// extra.
  private static func checkPositionals(_ arguments: ParsedArguments, of verb: Verb) throws {
    let command = arguments.commandName
    let required = verb.arguments.filter { !$0.isOptional && !$0.isVariadic }
    if arguments.positionals.count < required.count {
      let missing = required[arguments.positionals.count...].map(\.name)
      throw CLIError.usage(
        "\(command) needs \(missing.joined(separator: " and ")); run \(command) --help")
    }
    let variadic = verb.arguments.last?.isVariadic == true
    if !variadic && arguments.positionals.count > verb.arguments.count {
      let extra = arguments.positionals[verb.arguments.count...]
      throw CLIError.usage(
        "\(command) takes no argument \"\(extra.first!)\" there; run \(command) --help")
    }
  }
}

/// One run of a command: its arguments, the settings and the service clients.
public struct Invocation: Sendable {
  public let arguments: ParsedArguments
  public let settings: Settings
  public let clients: ServiceClients
  public let console: Console
}
