import EdgecatCore
import EdgecatStore

/// One object of the namespace as stored: the columns every kind has, and `details`, the
/// kind's info message in protobuf encoding with only its kind-specific fields set.
public struct CatalogObject: Sendable {
  public let kind: ObjectKind
  public let name: SecurableName
  public var owner: String
  /// The service that holds the object's data, such as "registry"; empty when none does.
  public var hostedBy: String
  public var details: [UInt8]
  /// Seconds since the Unix epoch.
  public var createdAt: Double
  public var createdBy: String
  public var updatedAt: Double
  public var updatedBy: String

  public init(
    kind: ObjectKind, name: SecurableName, owner: String, hostedBy: String = "",
    details: [UInt8], createdAt: Double, createdBy: String
  ) {
    self.kind = kind
    self.name = name
    self.owner = owner
    self.hostedBy = hostedBy
    self.details = details
    self.createdAt = createdAt
    self.createdBy = createdBy
    updatedAt = createdAt
    updatedBy = createdBy
  }

  public var fullName: String { name.fullName }
  public var catalogName: String { name.parts[0] }
  /// The schema part; empty for a catalog.
  public var schemaName: String { name.parts.count > 1 ? name.parts[1] : "" }
  /// The last part of the name.
  public var shortName: String { name.parts[name.parts.count - 1] }
  /// The parent's full name; empty for a catalog.
  public var parentName: String { name.parts.dropLast().joined(separator: ".") }

  static let columns =
    "kind, full_name, owner, hosted_by, details, created_at, created_by, updated_at, updated_by"

  /// Reads a row selected with `columns`, in that order.
  init?(row: Row) {
    guard let kindName = row[0].string, let kind = ObjectKind(rawValue: kindName),
      let fullName = row[1].string
    else { return nil }
    self.kind = kind
    name = SecurableName(validatedParts: fullName.split(separator: ".").map(String.init))
    owner = row[2].string ?? ""
    hostedBy = row[3].string ?? ""
    details = row[4].bytes ?? []
    createdAt = row[5].double ?? 0
    createdBy = row[6].string ?? ""
    updatedAt = row[7].double ?? 0
    updatedBy = row[8].string ?? ""
  }
}
