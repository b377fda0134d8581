import EdgecatStore

extension PolicyEngine {
  /// Deletes a principal with its tokens, its memberships in groups, the memberships of a
  /// group's members and the grants it holds. Only metastore admins and edgecat services may
  /// delete principals. A principal that owns a securable, or the last user or service principal
  /// in metastore-admins, is FAILED_PRECONDITION, and a built-in group is INVALID_ARGUMENT.
  @discardableResult
  public func deletePrincipal(_ name: String, context: RequestContext) async throws -> WriteResult {
    let details = AuditDetails(action: "deletePrincipal", parameters: [("name", name)])
    return try await performWrite(details, context: context) { model, pending in
      let actor = try requireActor(context, in: model)
      try requireAdmin(actor, in: model, orService: true, for: "delete principals")
      let entry = try model.requirePrincipal(name)
      guard !BuiltInGroup.all.contains(name) else {
        throw PolicyError.invalidArgument("'\(name)' is a built-in group and cannot be deleted")
      }
      try requireOwnsNothing(entry, in: model)

      removeMemberships(of: entry, model: &model, pending: &pending)
      removeGrants(of: entry, model: &model, pending: &pending)
      removeTokens(of: entry, model: &model, pending: &pending)
      pending.execute("DELETE FROM principal_attributes WHERE principal = ?", .text(name))
      pending.execute("DELETE FROM principals WHERE name = ?", .text(name))
      let hadAdmin = model.hasAdmin
      model.principals[Int(entry.id)] = nil
      model.principalIDs[name] = nil
      model.recomputeClosures()
      if hadAdmin, !model.hasAdmin {
        throw PolicyError(
          code: .failedPrecondition,
          message: "deleting \(entry.kind.noun) '\(name)' would leave no user or service"
            + " principal in \(BuiltInGroup.metastoreAdmins); add another admin first")
      }
      pending.record(.principalDeleted, principal: name)
    }.result
  }

  /// Throws FAILED_PRECONDITION naming the first securable by name that `entry` owns.
  private func requireOwnsNothing(
    _ entry: PrincipalEntry, in model: PolicyModel
  ) throws(PolicyError) {
    let owned = model.securables.compactMap { securable -> SecurableEntry? in
      guard let securable, securable.owner == entry.id else { return nil }
      return securable
    }
    guard let first = owned.min(by: { $0.fullName < $1.fullName }) else { return }
    let others = owned.count > 1 ? " and \(owned.count - 1) more securables" : ""
    throw PolicyError(
      code: .failedPrecondition,
      message: "\(entry.kind.noun) '\(entry.name)' owns \(first.label)\(others); transfer"
        + " ownership to another principal first")
  }

  /// Removes `entry` from its groups and, for a group, every member from it.
  private func removeMemberships(
    of entry: PrincipalEntry, model: inout PolicyModel, pending: inout PendingWrite
  ) {
    for index in model.principals.indices {
      guard let member = model.principals[index], member.directGroups.contains(entry.id) else {
        continue
      }
      model.principals[index]!.directGroups.removeAll { $0 == entry.id }
      pending.record(.membershipChanged, principal: member.name)
    }
    if !entry.directGroups.isEmpty {
      model.principals[Int(entry.id)]!.directGroups = []
      pending.record(.membershipChanged, principal: entry.name)
    }
    pending.execute(
      "DELETE FROM memberships WHERE group_name = ? OR member = ?", .text(entry.name),
      .text(entry.name))
  }

  private func removeGrants(
    of entry: PrincipalEntry, model: inout PolicyModel, pending: inout PendingWrite
  ) {
    for index in model.securables.indices {
      guard let securable = model.securables[index], securable.grants[entry.id] != nil else {
        continue
      }
      model.securables[index]!.grants[entry.id] = nil
      pending.record(.grantsChanged, principal: entry.name, securable: securable.fullName)
    }
    pending.execute("DELETE FROM grants WHERE principal = ?", .text(entry.name))
  }

  private func removeTokens(
    of entry: PrincipalEntry, model: inout PolicyModel, pending: inout PendingWrite
  ) {
    let owned = model.tokensByHash.values.filter { $0.principal == entry.id }
    for token in owned {
      model.tokensByHash[token.hash] = nil
      model.tokenHashesByID[token.id] = nil
    }
    if !owned.isEmpty { pending.record(.tokenRevoked, principal: entry.name) }
    pending.execute("DELETE FROM tokens WHERE principal = ?", .text(entry.name))
  }
}
