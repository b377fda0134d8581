/// What a command prints: the same result as a table for people and as JSON for scripts.
public enum CommandOutput: Sendable {
  /// One object: `key  value` lines, or a JSON object.
  case record(JSONValue)
  /// A list: a table with these columns, or a JSON array of the items.
  case list([JSONValue], columns: [TableColumn])
  /// A sentence for people and a JSON document for scripts, with the exit status.
  case message(JSONValue, text: String, exitCode: Int32 = 0)
  /// The command has printed its output already.
  case printed(exitCode: Int32)

  /// Prints the output in `format` and returns the exit status.
  func print(_ format: OutputFormat, to console: Console) -> Int32 {
    switch (self, format) {
    case (.record(let value), .table):
      console.writeOutput(value.renderDetails())
    case (.record(let value), .json), (.message(let value, _, _), .json):
      console.writeOutput(value.serialized() + "\n")
    case (.list(let items, let columns), .table):
      let table = TextTable(
        headers: columns.map(\.header),
        rows: items.map { item in columns.map { $0.cell(of: item) } })
      console.writeOutput(table.render())
    case (.list(let items, _), .json):
      console.writeOutput(JSONValue.array(items).serialized() + "\n")
    case (.message(_, let text, _), .table):
      console.writeOutput(text.hasSuffix("\n") ? text : text + "\n")
    case (.printed, _):
      break
    }
    switch self {
    case .message(_, _, let exitCode), .printed(let exitCode): return exitCode
    default: return 0
    }
  }
}
