extension QueryCommand {
  /// Reads the SELECT from the argument, -f or stdin. SQL that is empty or only whitespace
  /// is a usage error naming where it came from.
  static func readSQL(_ invocation: Invocation) throws -> String {
    let arguments = invocation.arguments
    let sql: String
    let source: String
    if let text = arguments.positional(0) {
      guard !arguments.has("file") else {
        throw CLIError.usage("edgecat query takes SQL or -f, not both; drop one")
      }
      (sql, source) = (text, "the SQL argument")
    } else if let path = arguments["file"] {
      sql = try ModelVersionCreate.readFile(path, flag: "file", console: invocation.console)
      source = "-f \(path)"
    } else if !invocation.console.standardInputIsTerminal() {
      (sql, source) = (try invocation.console.readStandardInput(), "stdin")
    } else {
      throw CLIError.usage("edgecat query needs a SELECT: pass it, -f FILE, or pipe it to stdin")
    }

    guard sql.contains(where: { !$0.isWhitespace }) else {
      throw CLIError.usage(
        "edgecat query needs a SELECT, but \(source) is empty; pass it, -f FILE, or pipe it"
          + " to stdin")
    }
    return sql
  }
}
