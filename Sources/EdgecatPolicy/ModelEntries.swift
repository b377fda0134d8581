import EdgecatCore

// Both entry types keep their fields in one reference-counted object, copied before a
// mutation when another model shares it, so that copying an entry (as every check does
// several times) costs one retain and not one per field.

/// One principal in the in-memory model, with its precomputed group closure.
struct PrincipalEntry: Sendable {
  private final class Storage: @unchecked Sendable {
    let id: Int32
    let name: String
    let kind: PrincipalKind
    let createdAt: Double
    // Mutated only through `unique()`, by the one writer that holds the only reference.
    @exclusivity(unchecked) var directGroups: [Int32] = []
    @exclusivity(unchecked) var closure: [Int32] = []
    @exclusivity(unchecked) var attributes: [String: String] = [:]

    init(id: Int32, name: String, kind: PrincipalKind, createdAt: Double) {
      self.id = id
      self.name = name
      self.kind = kind
      self.createdAt = createdAt
    }

    func copy() -> Storage {
      let copy = Storage(id: id, name: name, kind: kind, createdAt: createdAt)
      copy.directGroups = directGroups
      copy.closure = closure
      copy.attributes = attributes
      return copy
    }
  }

  private var storage: Storage

  init(id: Int32, name: String, kind: PrincipalKind, createdAt: Double) {
    storage = Storage(id: id, name: name, kind: kind, createdAt: createdAt)
  }

  var id: Int32 { storage.id }
  var name: String { storage.name }
  var kind: PrincipalKind { storage.kind }
  var createdAt: Double { storage.createdAt }

  /// The groups this principal is a direct member of.
  var directGroups: [Int32] {
    get { storage.directGroups }
    _modify { yield &unique().directGroups }
  }

  /// Itself, `account users` and every group it belongs to through any chain of memberships.
  var closure: [Int32] {
    get { storage.closure }
    _modify { yield &unique().closure }
  }

  var attributes: [String: String] {
    get { storage.attributes }
    _modify { yield &unique().attributes }
  }

  private mutating func unique() -> Storage {
    if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    return storage
  }
}

/// One securable in the in-memory model, with the grants made on it.
struct SecurableEntry: Sendable {
  private final class Storage: @unchecked Sendable {
    let id: Int32
    let type: SecurableType
    let name: SecurableName
    let fullName: String
    let parent: Int32
    let createdAt: Double
    // Mutated only through `unique()`, by the one writer that holds the only reference.
    @exclusivity(unchecked) var owner: Int32
    @exclusivity(unchecked) var grants: [Int32: PrivilegeSet] = [:]
    @exclusivity(unchecked) var children: [Int32] = []
    @exclusivity(unchecked) var function: FunctionDefinition?
    @exclusivity(unchecked) var columns: [String] = []

    init(
      id: Int32, type: SecurableType, name: SecurableName, fullName: String, parent: Int32,
      createdAt: Double, owner: Int32
    ) {
      self.id = id
      self.type = type
      self.name = name
      self.fullName = fullName
      self.parent = parent
      self.createdAt = createdAt
      self.owner = owner
    }

    func copy() -> Storage {
      let copy = Storage(
        id: id, type: type, name: name, fullName: fullName, parent: parent,
        createdAt: createdAt, owner: owner)
      copy.grants = grants
      copy.children = children
      copy.function = function
      copy.columns = columns
      return copy
    }
  }

  private var storage: Storage

  init(
    id: Int32, type: SecurableType, name: SecurableName, fullName: String, parent: Int32,
    createdAt: Double, owner: Int32
  ) {
    storage = Storage(
      id: id, type: type, name: name, fullName: fullName, parent: parent, createdAt: createdAt,
      owner: owner)
  }

  var id: Int32 { storage.id }
  var type: SecurableType { storage.type }
  var name: SecurableName { storage.name }
  /// The dotted lower case name, empty for the metastore.
  var fullName: String { storage.fullName }
  /// The enclosing securable, or -1 for the metastore.
  var parent: Int32 { storage.parent }
  var createdAt: Double { storage.createdAt }

  var owner: Int32 {
    get { storage.owner }
    set { unique().owner = newValue }
  }

  /// The privileges granted to each principal directly on this securable.
  var grants: [Int32: PrivilegeSet] {
    get { storage.grants }
    _modify { yield &unique().grants }
  }

  var children: [Int32] {
    get { storage.children }
    _modify { yield &unique().children }
  }

  var function: FunctionDefinition? {
    get { storage.function }
    set { unique().function = newValue }
  }

  /// The table's columns when they were registered; empty when unknown.
  var columns: [String] {
    get { storage.columns }
    set { unique().columns = newValue }
  }

  /// The type and name as reasons and messages show them, such as `table main.sales.orders`.
  var label: String { type == .metastore ? "metastore" : "\(type.displayName) \(fullName)" }

  private mutating func unique() -> Storage {
    if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    return storage
  }
}
