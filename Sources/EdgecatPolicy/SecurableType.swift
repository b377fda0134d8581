/// The kind of a node in the securable tree: the metastore root, a catalog, a schema, or an
/// object in a schema.
public enum SecurableType: Int, Sendable, Hashable, CaseIterable {
  case metastore
  case catalog
  case schema
  case table
  case view
  case volume
  case function
  case registeredModel

  /// The upper snake case name used in storage and in messages to services, such as `TABLE`.
  public var name: String {
    switch self {
    case .metastore: "METASTORE"
    case .catalog: "CATALOG"
    case .schema: "SCHEMA"
    case .table: "TABLE"
    case .view: "VIEW"
    case .volume: "VOLUME"
    case .function: "FUNCTION"
    case .registeredModel: "REGISTERED_MODEL"
    }
  }

  /// The lower case words used in human-readable reasons, such as `registered model`.
  public var displayName: String {
    switch self {
    case .metastore: "metastore"
    case .catalog: "catalog"
    case .schema: "schema"
    case .table: "table"
    case .view: "view"
    case .volume: "volume"
    case .function: "function"
    case .registeredModel: "registered model"
    }
  }

  /// Appends how reasons name a securable of this type: `metastore`, or the display name and
  /// `securable`, such as `catalog main`.
  func appendLabel(of securable: String, to text: inout ReasonText) {
    guard self != .metastore else {
      text += "metastore"
      return
    }
    text += displayName
    text += " "
    text += securable
  }

  /// Parses a name such as `TABLE` or `registered_model`, in any case.
  public static func named(_ text: String) throws(PolicyError) -> SecurableType {
    let normalized = String(text.uppercased().map { $0 == " " ? "_" : $0 })
    guard let type = allCases.first(where: { $0.name == normalized }) else {
      let known = allCases.map(\.name).joined(separator: ", ")
      throw .invalidArgument("unknown securable type '\(text)'; use one of \(known)")
    }
    return type
  }

  /// The number of name parts of a securable of this type: 0 for the metastore, 3 for objects.
  var depth: Int {
    switch self {
    case .metastore: 0
    case .catalog: 1
    case .schema: 2
    default: 3
    }
  }

  /// True for the types that live inside a schema.
  var isObject: Bool { depth == 3 }

  /// Privileges of which any one lets a principal see a securable of this type and list the
  /// grants on it, usage rules applied: BROWSE, then the type's use privileges, then MANAGE.
  /// On the metastore, CREATE_CATALOG.
  public var visibilityPrivileges: [Privilege] {
    switch self {
    case .metastore: [.createCatalog]
    case .catalog: [.browse, .useCatalog, .manage]
    case .schema: [.browse, .useSchema, .manage]
    case .table: [.browse, .select, .modify, .manage]
    case .view: [.browse, .select, .manage]
    case .volume: [.browse, .readVolume, .writeVolume, .manage]
    case .function: [.browse, .execute, .manage]
    case .registeredModel: [.browse, .execute, .deploy, .manage]
    }
  }

  /// The privileges that may be granted on a securable of this type.
  public var grantablePrivileges: PrivilegeSet { PrivilegeTables.grantable[rawValue] }

  /// The privileges that may be checked on this type: the grantable ones, plus BROWSE on
  /// objects, whose BROWSE comes from their schema or catalog.
  public var checkablePrivileges: PrivilegeSet { PrivilegeTables.checkable[rawValue] }

  /// The privileges ALL_PRIVILEGES granted on this type covers: every grantable one but MANAGE.
  var allPrivilegesExpansion: PrivilegeSet { PrivilegeTables.expansion[rawValue] }
}

/// The privilege tables, computed once.
enum PrivilegeTables {
  static let table: PrivilegeSet = [.select, .modify, .manage, .allPrivileges]
  static let view: PrivilegeSet = [.select, .manage, .allPrivileges]
  static let volume: PrivilegeSet = [.readVolume, .writeVolume, .manage, .allPrivileges]
  static let function: PrivilegeSet = [.execute, .manage, .allPrivileges]
  static let model: PrivilegeSet = [.execute, .deploy, .manage, .allPrivileges]
  static let objects = table.union(view).union(volume).union(function).union(model)
  static let schema = objects.union(
    [.useSchema, .createTable, .createFunction, .createVolume, .createModel, .browse])
  static let catalog = schema.union([.useCatalog, .createSchema])

  static let grantable: [PrivilegeSet] = SecurableType.allCases.map { type in
    switch type {
    case .metastore: [.createCatalog]
    case .catalog: catalog
    case .schema: schema
    case .table: table
    case .view: view
    case .volume: volume
    case .function: function
    case .registeredModel: model
    }
  }

  static let checkable: [PrivilegeSet] = SecurableType.allCases.map { type in
    type.isObject ? grantable[type.rawValue].union([.browse]) : grantable[type.rawValue]
  }

  static let expansion: [PrivilegeSet] = SecurableType.allCases.map { type in
    grantable[type.rawValue].subtracting([.manage, .allPrivileges])
  }
}
