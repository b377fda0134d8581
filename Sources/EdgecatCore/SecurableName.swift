/// A validated full name of a securable: no parts for the metastore, then `catalog`,
/// `catalog.schema` or `catalog.schema.object`, each part folded to lower case.
public struct SecurableName: Sendable, Hashable, CustomStringConvertible {
  /// The lower case parts, outermost first.
  public let parts: [String]

  /// The maximum length of a part; parts are ASCII, so bytes and characters agree.
  public static let maximumPartLength = 255

  /// The metastore, the root of the tree, whose full name is empty.
  public static let metastore = SecurableName(validatedParts: [])

  public init(validatedParts: [String]) { parts = validatedParts }

  /// Validates `text` and folds it to lower case. The empty string names the metastore.
  public init(_ text: String) throws(ServiceError) {
    guard !text.isEmpty else {
      parts = []
      return
    }
    let pieces = text.split(separator: ".", omittingEmptySubsequences: false)
    guard pieces.count <= 3 else {
      throw .invalidArgument(
        "securable name '\(text)' has \(pieces.count) parts; use catalog, catalog.schema or"
          + " catalog.schema.object")
    }
    var parts: [String] = []
    for (index, piece) in pieces.enumerated() {
      parts.append(try SecurableName.validatePart(String(piece), position: index + 1, of: text))
    }
    self.parts = parts
  }

  /// The dotted lower case name; empty for the metastore.
  public var fullName: String { parts.joined(separator: ".") }

  public var description: String { parts.isEmpty ? "metastore" : fullName }

  /// The name of the enclosing securable; the metastore for a catalog.
  public var parent: SecurableName? {
    parts.isEmpty ? nil : SecurableName(validatedParts: Array(parts.dropLast()))
  }

  /// Checks one part: 1 to 255 ASCII letters, digits, `_` or `-`. Returns it in lower case.
  public static func validatePart(
    _ part: String, position: Int, of text: String, noun: String = "securable name"
  ) throws(ServiceError) -> String {
    let count = part.utf8.count
    guard count > 0 else {
      throw .invalidArgument(
        "part \(position) of \(noun) '\(text)' is empty; each part needs 1 to"
          + " \(maximumPartLength) characters")
    }
    guard count <= maximumPartLength else {
      throw .invalidArgument(
        "part \(position) of \(noun) '\(text)' has \(count) bytes; the maximum is"
          + " \(maximumPartLength)")
    }
    for scalar in part.unicodeScalars where !isAllowed(scalar) {
      let code = String(scalar.value, radix: 16, uppercase: true)
      throw .invalidArgument(
        "part '\(part)' of \(noun) '\(text)' contains '\(scalar)' (U+\(code)); use only ASCII"
          + " letters, digits, '_' and '-'")
    }
    return part.lowercased()
  }

  private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar {
    case "a"..."z", "A"..."Z", "0"..."9", "_", "-": true
    default: false
    }
  }
}

/// Validates a column name by the rules of a name part and folds it to lower case.
public func validateColumnName(_ name: String) throws(ServiceError) -> String {
  try SecurableName.validatePart(name, position: 1, of: name, noun: "column name")
}
