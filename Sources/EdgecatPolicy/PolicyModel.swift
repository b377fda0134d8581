import EdgecatCore

/// One token, known by the SHA-256 hash of its secret.
struct TokenEntry: Sendable {
  let id: String
  let principal: Int32
  let hash: String
  let createdAt: Double
  let expiresAt: Double?
  var revokedAt: Double?
  let description: String
}

/// A table's row filter: a boolean function applied to some of the table's columns.
struct RowFilterBinding: Sendable, Hashable {
  let function: Int32
  let columns: [String]
}

/// A column's mask: a function of the column's value and of `extraColumns`.
struct ColumnMaskBinding: Sendable, Hashable {
  let function: Int32
  let extraColumns: [String]
}

/// Everything the engine decides from, as plain values. Writes change a copy and publish it,
/// so a published model never changes.
struct PolicyModel: Sendable {
  var revision: UInt64 = 0
  var isBootstrapped = false
  var principals: [PrincipalEntry?] = []
  var principalIDs: [String: Int32] = [:]
  var securables: [SecurableEntry?] = []
  var securableIDs: [String: Int32] = [:]
  var tokensByHash: [String: TokenEntry] = [:]
  var tokenHashesByID: [String: String] = [:]
  var rowFilters: [Int32: RowFilterBinding] = [:]
  /// The masks of each table, keyed by column name.
  var columnMasks: [Int32: [String: ColumnMaskBinding]] = [:]

  /// The ids of the built-in groups, which every database has from its first migration.
  var accountUsersID: Int32 = -1
  var adminsID: Int32 = -1
  var servicesID: Int32 = -1

  /// The id of the metastore, the root securable.
  static let metastoreID: Int32 = 0

  func principal(_ id: Int32) -> PrincipalEntry { principals[Int(id)]! }

  func securable(_ id: Int32) -> SecurableEntry { securables[Int(id)]! }

  func principal(named name: String) -> PrincipalEntry? {
    principalIDs[name].flatMap { principals[Int($0)] }
  }

  /// Returns the principal called `name`, or throws NOT_FOUND naming it, or INVALID_ARGUMENT
  /// when `name` is empty.
  func requirePrincipal(_ name: String) throws(PolicyError) -> PrincipalEntry {
    guard !name.isEmpty else {
      throw .invalidArgument("principal name is empty; name a user, group or service principal")
    }
    guard let entry = principal(named: name) else {
      throw .notFound("principal '\(name)' does not exist; check the name, or create it first")
    }
    return entry
  }

  /// Returns the securable called `name`, or throws NOT_FOUND. When `type` is given, a
  /// securable of another type is NOT_FOUND too, and the message names its real type.
  func requireSecurable(
    _ name: SecurableName, type: SecurableType? = nil
  ) throws(PolicyError) -> SecurableEntry {
    guard let id = securableIDs[name.fullName], let entry = securables[Int(id)] else {
      let noun = type?.displayName ?? "securable"
      throw .notFound("\(noun) '\(name)' does not exist; check the name or register it")
    }
    if let type, entry.type != type {
      throw .notFound(
        "no \(type.displayName) named '\(name)'; it is a \(entry.type.displayName)")
    }
    return entry
  }

  func requireSecurable(
    _ text: String, type: SecurableType? = nil
  ) throws(PolicyError) -> SecurableEntry {
    try requireSecurable(try SecurableName(text), type: type)
  }

  /// Returns true when `id` is the principal itself or one of the groups it belongs to.
  func closure(of principal: PrincipalEntry, contains id: Int32) -> Bool {
    principal.closure.contains(id)
  }

  /// Returns the catalog and schema that contain `entry`, or `entry` itself at those levels.
  func ancestors(of entry: SecurableEntry) -> (catalog: SecurableEntry?, schema: SecurableEntry?) {
    switch entry.type.depth {
    case 0: return (nil, nil)
    case 1: return (entry, nil)
    case 2: return (securable(entry.parent), entry)
    default:
      let schema = securable(entry.parent)
      return (securable(schema.parent), schema)
    }
  }

  /// Returns `id` and every securable below it, parents before children.
  func subtree(of id: Int32) -> [Int32] {
    var result: [Int32] = [id]
    var index = 0
    while index < result.count {
      result.append(contentsOf: securable(result[index]).children)
      index += 1
    }
    return result
  }
}

/// An immutable published model; readers take a reference under a short lock.
final class PolicySnapshot: Sendable {
  let model: PolicyModel

  init(_ model: PolicyModel) { self.model = model }
}
