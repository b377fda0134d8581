/// The quarantined entries that `edgecat agent quarantine resend` and `discard` apply to:
/// `--all`, or IDs as `edgecat agent quarantine list` prints them, `record:SEQ` for a record
/// and `label:ID` for a label.
struct QuarantineEntries: Equatable {
  var all = false
  /// Seqs of records, each once, in the order given.
  var seqs: [UInt64] = []
  /// Ids of labels, each once, in the order given.
  var labelIDs: [Int64] = []

  /// The maximum number of entries one call names, because the agent rejects more.
  static let maximumEntries = 10_000

  static let idArgument = ArgumentSpec(
    "ID", optional: true, variadic: true,
    help: "an entry as the ID column of edgecat agent quarantine list prints it: record:SEQ"
      + " for a record, label:ID for a label")

  static func allFlag(_ verb: String) -> FlagSpec {
    .toggle("all", help: "\(verb) every quarantined record and label instead of naming IDs")
  }

  /// Reads `--all` and the IDs of `arguments`. Both, neither, an invalid ID or more than
  /// `maximumEntries` distinct IDs are usage errors that name the fix.
  init(_ arguments: ParsedArguments) throws {
    let command = arguments.commandName
    let ids = arguments.positionals
    all = arguments.has("all")
    if all && !ids.isEmpty {
      throw CLIError.usage(
        "\(command) takes --all or IDs, not both; drop --all to name entries, or drop the"
          + " IDs to apply to every entry")
    }
    if !all && ids.isEmpty {
      throw CLIError.usage(
        "\(command) needs IDs or --all; name entries as edgecat agent quarantine list prints"
          + " them, such as record:12 or label:3, or pass --all")
    }
    var seenSeqs = Set<UInt64>()
    var seenLabelIDs = Set<Int64>()
    for text in ids {
      switch try Self.parse(text) {
      case .record(let seq):
        if seenSeqs.insert(seq).inserted { seqs.append(seq) }
      case .label(let id):
        if seenLabelIDs.insert(id).inserted { labelIDs.append(id) }
      }
    }
    let named = seqs.count + labelIDs.count
    guard named <= Self.maximumEntries else {
      throw CLIError.usage(
        "\(command) names \(named) entries; the agent takes at most \(Self.maximumEntries)"
          + " per call, so name fewer at a time or pass --all")
    }
  }

  /// One parsed ID.
  enum Entry: Equatable {
    case record(seq: UInt64)
    case label(id: Int64)
  }

  /// Parses `record:SEQ` or `label:ID` with a number from 1 to 2^63-1, the range of the
  /// spool's SQLite row keys.
  static func parse(_ text: String) throws -> Entry {
    let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
    if parts.count == 2, let number = Int64(parts[1]), number > 0 {
      switch parts[0] {
      case "record": return .record(seq: UInt64(number))
      case "label": return .label(id: number)
      default: break
      }
    }
    throw CLIError.usage(
      "ID \"\(text)\" is invalid; use record:SEQ or label:ID with a number from 1 to"
        + " \(Int64.max), as the ID column of edgecat agent quarantine list prints them")
  }

  /// Returns the ID of a record as the list's ID column prints it, such as `record:12`.
  static func id(seq: UInt64) -> String { "record:\(seq)" }

  /// Returns the ID of a label as the list's ID column prints it, such as `label:3`.
  static func id(labelID: Int64) -> String { "label:\(labelID)" }
}
