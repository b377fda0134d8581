/// Full names and shared flags of the catalog nouns.
enum NameArguments {
  /// Splits a dotted full name into `count` parts, such as CATALOG.SCHEMA.TABLE; a usage
  /// error shows the expected shape otherwise.
  static func split(_ text: String, parts count: Int, kind: String) throws -> [String] {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    guard parts.count == count, !parts.contains(where: \.isEmpty) else {
      throw CLIError.usage(
        "\(kind) name \"\(text)\" is invalid; use \(shape(parts: count, kind: kind))")
    }
    return parts
  }

  /// Returns the shape of a full name for messages: CATALOG, CATALOG.SCHEMA or CATALOG.SCHEMA.TABLE.
  static func shape(parts count: Int, kind: String) -> String {
    switch count {
    case 1: kind.uppercased()
    case 2: "CATALOG.SCHEMA"
    default: "CATALOG.SCHEMA.\(kind.uppercased())"
    }
  }

  static let comment = FlagSpec("comment", value: "TEXT", help: "comment for people")
  static let owner = FlagSpec(
    "owner", value: "PRINCIPAL", help: "new owner; needs ownership or MANAGE")
  static let property = FlagSpec(
    "property", value: "KEY=VALUE", repeatable: true,
    help: "property; on update, the given properties replace every existing one")
  static let ifNotExists = FlagSpec.toggle(
    "if-not-exists", help: "return the existing object instead of failing with ALREADY_EXISTS")

  /// Returns the update mask of an update verb: each field whose flag was given, such as
  /// `properties` for `--property`. Without any, it fails listing the flags.
  static func updateMask(_ arguments: ParsedArguments, fields: KeyValuePairs<String, String>)
    throws -> [String]
  {
    let mask = fields.filter { arguments.has($0.value) }.map(\.key)
    guard !mask.isEmpty else {
      let flags = fields.map { "--" + $0.value }.joined(separator: ", ")
      throw CLIError.usage("\(arguments.commandName) needs something to change: \(flags)")
    }
    return mask
  }

  /// Parses `NAME:TYPE` values of `--column` or `--parameter`.
  static func typedNames(_ values: [String], flag: String) throws -> [(String, String)] {
    try values.map { text in
      guard let colon = text.firstIndex(of: ":"), colon != text.startIndex,
        text.index(after: colon) != text.endIndex
      else {
        throw CLIError.usage("--\(flag) \"\(text)\" is invalid; use NAME:TYPE, such as id:BIGINT")
      }
      return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }
  }
}
