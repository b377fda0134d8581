import EdgecatCore

extension PolicyModel {
  /// Adds a principal with no groups beyond `account users` and returns its id.
  @discardableResult
  mutating func insertPrincipal(name: String, kind: PrincipalKind, createdAt: Double) -> Int32 {
    let id = Int32(principals.count)
    var entry = PrincipalEntry(id: id, name: name, kind: kind, createdAt: createdAt)
    entry.closure = accountUsersID >= 0 && accountUsersID != id ? [id, accountUsersID] : [id]
    principals.append(entry)
    principalIDs[name] = id
    if name == BuiltInGroup.accountUsers { accountUsersID = id }
    if name == BuiltInGroup.metastoreAdmins { adminsID = id }
    if name == BuiltInGroup.edgecatServices { servicesID = id }
    return id
  }

  /// Recomputes every principal's group closure after a membership change.
  /// NOTE: this walks all principals, O(principals x depth). That suits thousands of principals,
  /// but a larger directory would need to recompute only the members below the changed group.
  mutating func recomputeClosures() {
    for index in principals.indices {
      guard let entry = principals[index] else { continue }
      var closure: [Int32] = [entry.id]
      var next = 0
      while next < closure.count {
        for group in principal(closure[next]).directGroups where !closure.contains(group) {
          closure.append(group)
        }
        next += 1
      }
      if accountUsersID >= 0, !closure.contains(accountUsersID) { closure.append(accountUsersID) }
      principals[index]!.closure = closure
    }
  }

  /// Adds a securable under `parent` and returns its id.
  @discardableResult
  mutating func insertSecurable(
    type: SecurableType, name: SecurableName, parent: Int32, owner: Int32, createdAt: Double,
    function: FunctionDefinition? = nil, columns: [String] = []
  ) -> Int32 {
    let id = Int32(securables.count)
    var entry = SecurableEntry(
      id: id, type: type, name: name, fullName: name.fullName, parent: parent,
      createdAt: createdAt, owner: owner)
    entry.function = function
    entry.columns = columns
    securables.append(entry)
    securableIDs[entry.fullName] = id
    if parent >= 0 { securables[Int(parent)]!.children.append(id) }
    return id
  }

  /// Removes `id` and everything below it, with their grants and bindings.
  mutating func removeSubtree(_ id: Int32) {
    let removed = subtree(of: id)
    let parent = securable(id).parent
    if parent >= 0 { securables[Int(parent)]!.children.removeAll { $0 == id } }
    for member in removed {
      securableIDs[securable(member).fullName] = nil
      securables[Int(member)] = nil
      rowFilters[member] = nil
      columnMasks[member] = nil
    }
  }

  /// Returns the principals with a direct membership in `group`, sorted by name.
  func directMembers(of group: Int32) -> [String] {
    principals.compactMap { entry in
      guard let entry, entry.directGroups.contains(group) else { return nil }
      return entry.name
    }.sorted()
  }
}
