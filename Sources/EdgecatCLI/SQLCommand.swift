/// `edgecat sql`: runs SQL statements as calls to the policy and catalog services.
enum SQLCommand {
  static let noun = Noun(
    "sql", "run SQL statements: CREATE, GRANT, REVOKE, ALTER, SHOW GRANTS, DROP and SELECT",
    command: Verb(
      "sql",
      "run the statements of -e, of each FILE in order, or of standard input, separated by ;."
        + " Every statement is parsed before the first runs; the first failure stops the run",
      arguments: [
        ArgumentSpec("FILE", optional: true, variadic: true, help: "SQL file; - is standard input")
      ],
      flags: [
        FlagSpec(
          "execute", short: "e", value: "STATEMENTS", help: "statements to run, instead of files"),
        .toggle("dry-run", help: "parse and print each statement without calling any service"),
      ],
      details: """
        statements:
          CREATE CATALOG|SCHEMA|TABLE|FUNCTION|VOLUME, GRANT, REVOKE, SHOW GRANTS, DROP,
          ALTER TABLE ... SET|DROP ROW FILTER, ALTER TABLE ... ALTER COLUMN ... SET|DROP MASK
          and ALTER <type> ... OWNER TO, and SELECT (or WITH ... SELECT), which edgecat-telemetry
          runs over its hosted tables and which prints the rows.
          Comments start with -- or are /* */; quote names such as `data-engineers` in backquotes.
        example:
          edgecat sql -e "GRANT USE CATALOG ON CATALOG production TO \\`data-engineers\\`"
        """,
      run: run))

  static func run(_ invocation: Invocation) async throws -> CommandOutput {
    var statements: [ParsedStatement] = []
    for source in try sources(invocation) {
      do {
        statements += try SQLParser.parse(source)
      } catch let error as CLIError {
        throw CLIError.failure(error.message + "; no statement was run")
      }
    }
    let json = invocation.settings.output == .json
    if invocation.arguments.has("dry-run") {
      let items = statements.map { statement in
        JSONValue.object([
          ("line", .integer(statement.line)),
          ("statement", .string(statement.statement.fullText)),
        ])
      }
      let text = statements.map { "\($0.location): \($0.statement.summary)\n" }.joined()
      return .message(.array(items), text: text.isEmpty ? "no statements" : text)
    }

    let executor = SQLExecutor(clients: invocation.clients)
    var results: [JSONValue] = []
    for (index, statement) in statements.enumerated() {
      let summary = statement.statement.summary
      let outcome: SQLExecutor.Outcome
      do {
        outcome = try await executor.run(statement.statement)
      } catch let error as CLIError {
        if json { invocation.console.writeOutput(JSONValue.array(results).serialized() + "\n") }
        throw CLIError(
          error.kind,
          "\(statement.location): \(summary) failed: \(error.message) (\(index) of"
            + " \(statements.count) statements ran before it)", statusCode: error.statusCode)
      }
      results.append(
        .object([
          ("line", .integer(statement.line)),
          ("statement", .string(statement.statement.fullText)), ("result", outcome.json),
        ]))
      if !json {
        let separator = outcome.text.hasPrefix("\n") ? ":" : ": "
        invocation.console.writeOutput(
          "\(statement.location): \(summary)\(separator)\(outcome.text)")
        if !outcome.text.hasSuffix("\n") { invocation.console.writeOutput("\n") }
      }
    }
    if json { invocation.console.writeOutput(JSONValue.array(results).serialized() + "\n") }
    return .printed(exitCode: 0)
  }

  /// Reads the scripts to run: `-e`, each file in order, or standard input.
  static func sources(_ invocation: Invocation) throws -> [SQLSource] {
    let arguments = invocation.arguments
    let console = invocation.console
    if let text = arguments["execute"] {
      guard arguments.positionals.isEmpty else {
        throw CLIError.usage("edgecat sql takes -e or files, not both; drop one")
      }
      return [SQLSource(name: nil, text: text)]
    }
    if arguments.positionals.isEmpty {
      guard !console.standardInputIsTerminal() else {
        throw CLIError.usage(
          "edgecat sql needs statements: pass -e \"...\", a file, or pipe them to standard input")
      }
      return [SQLSource(name: nil, text: try console.readStandardInput())]
    }
    return try arguments.positionals.map { path in
      if path == "-" { return SQLSource(name: "stdin", text: try console.readStandardInput()) }
      do {
        return SQLSource(name: path, text: try console.readFile(path))
      } catch let error as CLIError {
        throw CLIError.usage(error.message + "; check the file name")
      }
    }
  }
}
