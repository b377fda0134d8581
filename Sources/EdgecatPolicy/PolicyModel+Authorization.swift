/// The origin of a held privilege, as ids into the model.
enum Holding: Sendable {
  case admin
  /// `owner` owns securable `of`, and the principal is `owner` or a member of it.
  case ownership(owner: Int32, of: Int32)
  /// `owner` owns the schema's catalog, which counts as USE_SCHEMA on the schema.
  case catalogOwnership(owner: Int32, catalog: Int32)
  /// `privilege` (possibly ALL_PRIVILEGES) is granted on `on` to `grantee`.
  case grant(privilege: Privilege, on: Int32, grantee: Int32)
}

/// The requirement a decision tests: one privilege, or the right to grant, revoke and drop.
enum Requirement: Sendable, Equatable {
  case privilege(Privilege)
  case management
}

/// The result of evaluating a requirement: the first source that allows it, or every missing
/// privilege outermost first.
enum Outcome: Sendable {
  case allowed(Holding)
  case denied([(privilege: Privilege, securable: Int32)])
}

extension PolicyModel {
  /// True when a user or service principal belongs to metastore-admins, directly or through
  /// groups. Without one, only a member of edgecat-services could add an admin back.
  var hasAdmin: Bool {
    principals.contains { entry in
      guard let entry, entry.kind == .user || entry.kind == .service else { return false }
      return entry.closure.contains(adminsID)
    }
  }

  /// Decides `requirement` for `principal` on `target`, usage privileges included.
  /// Allocates only on a denial, where it lists what is missing.
  func evaluate(
    _ principal: PrincipalEntry, _ requirement: Requirement, on target: SecurableEntry
  ) -> Outcome {
    let closure = principal.closure
    if closure.contains(adminsID) { return .allowed(.admin) }

    var missing: [(privilege: Privilege, securable: Int32)] = []
    let (catalog, schema) = ancestors(of: target)
    let usageExempt = requirement == .privilege(.browse)
    if !usageExempt, let catalog,
      !(requirement == .privilege(.useCatalog) && target.id == catalog.id),
      holding(.useCatalog, on: catalog, closure: closure, catalog: catalog) == nil
    {
      missing.append((.useCatalog, catalog.id))
    }
    if !usageExempt, let schema,
      !(requirement == .privilege(.useSchema) && target.id == schema.id),
      holding(.useSchema, on: schema, closure: closure, catalog: catalog) == nil
    {
      missing.append((.useSchema, schema.id))
    }

    let source: Holding?
    switch requirement {
    case .privilege(let privilege):
      source = holding(privilege, on: target, closure: closure, catalog: catalog)
    case .management:
      source = managementHolding(on: target, closure: closure)
    }
    guard let source else {
      if case .privilege(let privilege) = requirement {
        missing.append((privilege, target.id))
      } else {
        missing.append((.manage, target.id))
      }
      return .denied(missing)
    }
    return missing.isEmpty ? .allowed(source) : .denied(missing)
  }

  /// Returns the first source of `privilege` on `target` for a principal whose closure is
  /// `closure`, ignoring usage: ownership, then grants on the target and its ancestors.
  func holding(
    _ privilege: Privilege, on target: SecurableEntry, closure: [Int32],
    catalog: SecurableEntry?
  ) -> Holding? {
    if closure.contains(target.owner) { return .ownership(owner: target.owner, of: target.id) }
    if privilege == .useSchema, target.type == .schema, let catalog,
      closure.contains(catalog.owner)
    {
      return .catalogOwnership(owner: catalog.owner, catalog: catalog.id)
    }
    var node = target
    while true {
      if !node.grants.isEmpty {
        let expands = node.type.allPrivilegesExpansion.contains(privilege)
        for grantee in closure {
          guard let granted = node.grants[grantee] else { continue }
          if granted.contains(privilege) {
            return .grant(privilege: privilege, on: node.id, grantee: grantee)
          }
          if expands, granted.contains(.allPrivileges) {
            return .grant(privilege: .allPrivileges, on: node.id, grantee: grantee)
          }
        }
      }
      guard node.type.depth > 1 else { return nil }
      node = securable(node.parent)
    }
  }

  /// Returns the source of the right to grant, revoke and drop on `target`, ignoring usage:
  /// owning it or its schema or catalog, or MANAGE on it or a parent.
  func managementHolding(on target: SecurableEntry, closure: [Int32]) -> Holding? {
    var node = target
    while true {
      if closure.contains(node.owner) { return .ownership(owner: node.owner, of: node.id) }
      guard node.type.depth > 1 else { break }
      node = securable(node.parent)
    }
    guard target.type.checkablePrivileges.contains(.manage) else { return nil }
    return holding(.manage, on: target, closure: closure, catalog: nil)
  }

  /// Returns every source of `privilege` on `target`, ignoring usage, for effective listings.
  func allHoldings(
    _ privilege: Privilege, on target: SecurableEntry, principal: PrincipalEntry
  ) -> [Holding] {
    let closure = principal.closure
    var result: [Holding] = []
    if closure.contains(adminsID) { result.append(.admin) }
    if closure.contains(target.owner) {
      result.append(.ownership(owner: target.owner, of: target.id))
    }
    let catalog = ancestors(of: target).catalog
    if privilege == .useSchema, target.type == .schema, let catalog,
      closure.contains(catalog.owner)
    {
      result.append(.catalogOwnership(owner: catalog.owner, catalog: catalog.id))
    }
    var node = target
    while true {
      let expands = node.type.allPrivilegesExpansion.contains(privilege)
      for grantee in closure {
        guard let granted = node.grants[grantee] else { continue }
        if granted.contains(privilege) {
          result.append(.grant(privilege: privilege, on: node.id, grantee: grantee))
        }
        if expands, granted.contains(.allPrivileges) {
          result.append(.grant(privilege: .allPrivileges, on: node.id, grantee: grantee))
        }
      }
      guard node.type.depth > 1 else { return result }
      node = securable(node.parent)
    }
  }
}
