import EdgecatStore

extension PolicyEngine {
  /// Drops a securable with everything below it, their grants and their bindings. Dropping a
  /// function still bound to a table outside the dropped subtree is FAILED_PRECONDITION.
  @discardableResult
  public func dropSecurable(
    _ fullName: String, type: SecurableType? = nil, context: RequestContext
  ) async throws -> WriteResult {
    let details = AuditDetails(
      action: "dropSecurable", securable: fullName, parameters: [("type", type?.name ?? "")])
    return try await performWrite(details, context: context) { model, pending in
      let actor = try requireActor(context, in: model)
      let target = try lookUpSecurable(fullName, type: type, in: model)
      guard target.type != .metastore else {
        throw PolicyError.invalidArgument("the metastore cannot be dropped")
      }
      try requireManagement(actor, on: target, in: model, allowServices: true)
      let removed = model.subtree(of: target.id)
      try requireUnbound(removed, in: model)

      let names = removed.map { model.securable($0).fullName }
      model.removeSubtree(target.id)
      for name in names.reversed() {
        pending.execute("DELETE FROM securables WHERE full_name = ?", .text(name))
        pending.execute("DELETE FROM grants WHERE securable = ?", .text(name))
        pending.execute("DELETE FROM row_filters WHERE table_name = ?", .text(name))
        pending.execute("DELETE FROM column_masks WHERE table_name = ?", .text(name))
        pending.record(.securableDropped, securable: name)
      }
    }.result
  }

  /// Throws FAILED_PRECONDITION when a function in `removed` is bound to a table that stays.
  private func requireUnbound(_ removed: [Int32], in model: PolicyModel) throws(PolicyError) {
    let removedSet = Set(removed)
    let functions = Set(removed.filter { model.securable($0).type == .function })
    guard !functions.isEmpty else { return }
    for (table, filter) in model.rowFilters
    where functions.contains(filter.function) && !removedSet.contains(table) {
      throw PolicyError(
        code: .failedPrecondition,
        message: "function \(model.securable(filter.function).fullName) is the row filter of"
          + " table \(model.securable(table).fullName); remove the row filter first")
    }
    for (table, masks) in model.columnMasks where !removedSet.contains(table) {
      for (column, mask) in masks where functions.contains(mask.function) {
        throw PolicyError(
          code: .failedPrecondition,
          message: "function \(model.securable(mask.function).fullName) masks column"
            + " \(column) of table \(model.securable(table).fullName); remove the mask first")
      }
    }
  }

  /// Moves ownership of a securable to `owner`. Allowed for admins, edgecat services and
  /// principals that may grant on it; giving it to the current owner changes nothing.
  @discardableResult
  public func transferOwnership(
    of fullName: String, type: SecurableType? = nil, to owner: String, context: RequestContext
  ) async throws -> WriteResult {
    let details = AuditDetails(
      action: "transferOwnership", securable: fullName, parameters: [("owner", owner)])
    return try await performWrite(details, context: context) { model, pending in
      let actor = try requireActor(context, in: model)
      let target = try lookUpSecurable(fullName, type: type, in: model)
      guard target.type != .metastore else {
        throw PolicyError.invalidArgument(
          "the metastore is owned by metastore-admins; change that group's members instead")
      }
      try requireManagement(actor, on: target, in: model, allowServices: true)
      let newOwner = try model.requirePrincipal(owner)
      guard target.owner != newOwner.id else { return }
      model.securables[Int(target.id)]!.owner = newOwner.id
      pending.execute(
        "UPDATE securables SET owner = ? WHERE full_name = ?", .text(owner),
        .text(target.fullName))
      pending.record(.ownershipTransferred, principal: owner, securable: target.fullName)
    }.result
  }
}
