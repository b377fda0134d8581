import EdgecatProto

public typealias SecurableKind = Edgecat_Policy_V1_SecurableType

/// The kinds of object the namespace holds, one per securable type below the metastore.
public enum ObjectKind: String, Sendable, Hashable, CaseIterable {
  case catalog
  case schema
  case table
  case view
  case volume
  case function
  case registeredModel = "registered_model"

  /// The number of parts of the full name: 1 for catalogs, 2 for schemas, 3 for objects.
  public var depth: Int {
    switch self {
    case .catalog: 1
    case .schema: 2
    default: 3
    }
  }

  /// Lower-case name as people write it, such as "registered model".
  public var displayName: String {
    self == .registeredModel ? "registered model" : rawValue
  }

  public var securableKind: SecurableKind {
    switch self {
    case .catalog: .catalog
    case .schema: .schema
    case .table: .table
    case .view: .view
    case .volume: .volume
    case .function: .function
    case .registeredModel: .registeredModel
    }
  }

  /// The kind of a securable type; nil for the metastore and unknown types.
  public init?(_ kind: SecurableKind) {
    switch kind {
    case .catalog: self = .catalog
    case .schema: self = .schema
    case .table: self = .table
    case .view: self = .view
    case .volume: self = .volume
    case .function: self = .function
    case .registeredModel: self = .registeredModel
    case .metastore, .unspecified, .unrecognized: return nil
    }
  }

  /// The privilege needed on the schema (or, for a schema, the catalog; for a catalog, the
  /// metastore) to create an object of this kind.
  public var createPrivilege: String {
    switch self {
    case .catalog: "CREATE_CATALOG"
    case .schema: "CREATE_SCHEMA"
    case .table, .view: "CREATE_TABLE"
    case .volume: "CREATE_VOLUME"
    case .function: "CREATE_FUNCTION"
    case .registeredModel: "CREATE_MODEL"
    }
  }

  /// Privileges of which any one makes an object of this kind visible in gets and lists:
  /// BROWSE, then the kind's use privileges, then MANAGE. Each is decided with the usage rules.
  public var visibilityPrivileges: [String] {
    switch self {
    case .catalog: ["BROWSE", "USE_CATALOG", "MANAGE"]
    case .schema: ["BROWSE", "USE_SCHEMA", "MANAGE"]
    case .table: ["BROWSE", "SELECT", "MODIFY", "MANAGE"]
    case .view: ["BROWSE", "SELECT", "MANAGE"]
    case .volume: ["BROWSE", "READ_VOLUME", "WRITE_VOLUME", "MANAGE"]
    case .function: ["BROWSE", "EXECUTE", "MANAGE"]
    case .registeredModel: ["BROWSE", "EXECUTE", "DEPLOY", "MANAGE"]
    }
  }
}
