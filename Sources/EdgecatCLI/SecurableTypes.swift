import EdgecatProto

/// Securable types as people type them on the command line and in SQL.
enum SecurableTypes {
  /// Spellings by type: the proto names, and the SQL words `DATABASE` and `MODEL`.
  static let spellings: [(String, Edgecat_Policy_V1_SecurableType)] = [
    ("metastore", .metastore), ("catalog", .catalog), ("schema", .schema),
    ("database", .schema), ("table", .table), ("view", .view), ("volume", .volume),
    ("function", .function), ("model", .registeredModel),
    ("registered-model", .registeredModel), ("registered_model", .registeredModel),
  ]

  static let helpText = "metastore, catalog, schema, table, view, volume, function or model"

  /// Parses a type such as `catalog` or `SCHEMA`; a usage error lists the types otherwise.
  static func parse(_ text: String) throws -> Edgecat_Policy_V1_SecurableType {
    let lower = text.lowercased()
    guard let match = spellings.first(where: { $0.0 == lower }) else {
      throw CLIError.usage("securable type \"\(text)\" is unknown; use \(helpText)")
    }
    return match.1
  }

  /// The lower-case name people read, such as `registered model`.
  static func displayName(_ type: Edgecat_Policy_V1_SecurableType) -> String {
    type == .registeredModel ? "model" : protoEnumName(type).lowercased()
  }

  /// Parses `TYPE [NAME]` positional arguments starting at `index`: the metastore takes no
  /// name and every other type needs one.
  static func target(_ arguments: ParsedArguments, at index: Int) throws -> (
    Edgecat_Policy_V1_SecurableType, String
  ) {
    guard let typeText = arguments.positional(index) else {
      throw CLIError.usage("\(arguments.commandName) needs a securable type: \(helpText)")
    }
    let type = try parse(typeText)
    let name = arguments.positional(index + 1) ?? ""
    if type == .metastore {
      guard name.isEmpty else {
        throw CLIError.usage("the metastore has no name; drop \"\(name)\"")
      }
    } else if name.isEmpty {
      throw CLIError.usage(
        "\(arguments.commandName) \(typeText) needs the \(displayName(type))'s full name")
    }
    return (type, name)
  }
}

extension SecurableTypes {
  /// A securable for messages, such as `catalog production` or `the metastore`.
  static func describe(_ type: Edgecat_Policy_V1_SecurableType, _ name: String) -> String {
    type == .metastore ? "the metastore" : "\(displayName(type)) \(name)"
  }
}
