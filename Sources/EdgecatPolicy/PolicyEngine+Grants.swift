import EdgecatStore

/// One privilege granted directly to a principal on a securable.
public struct GrantInfo: Sendable, Hashable {
  public let principal: String
  public let privilege: Privilege
}

extension PolicyEngine {
  /// Grants `privileges` on a securable to `principal`. The actor must own it, own its schema
  /// or catalog, hold MANAGE on it or a parent, or be an admin, and needs the usage privileges.
  /// Granting what is already granted changes nothing.
  @discardableResult
  public func grant(
    _ privileges: [Privilege], on securable: String, type: SecurableType? = nil,
    to principal: String, context: RequestContext
  ) async throws -> WriteResult {
    try await changeGrants(
      privileges, on: securable, type: type, principal: principal, adding: true,
      context: context)
  }

  /// Revokes `privileges` on a securable from `principal`, with the same rights as `grant`.
  /// Revoking what was never granted changes nothing.
  @discardableResult
  public func revoke(
    _ privileges: [Privilege], on securable: String, type: SecurableType? = nil,
    from principal: String, context: RequestContext
  ) async throws -> WriteResult {
    try await changeGrants(
      privileges, on: securable, type: type, principal: principal, adding: false,
      context: context)
  }

  private func changeGrants(
    _ privileges: [Privilege], on securable: String, type: SecurableType?, principal: String,
    adding: Bool, context: RequestContext
  ) async throws -> WriteResult {
    let details = AuditDetails(
      action: adding ? "grant" : "revoke", securable: securable,
      parameters: [
        ("principal", principal),
        ("privileges", privileges.map(\.rawValue).joined(separator: ",")),
      ])
    return try await performWrite(details, context: context) { model, pending in
      let actor = try requireActor(context, in: model)
      let target = try lookUpSecurable(securable, type: type, in: model)
      for privilege in privileges where !target.type.grantablePrivileges.contains(privilege) {
        let names = target.type.grantablePrivileges.privileges.map(\.rawValue)
        let verb = adding ? "granted on" : "revoked from"
        throw PolicyError.invalidArgument(
          "privilege \(privilege.rawValue) cannot be \(verb) \(target.label); use one of"
            + " \(names.joined(separator: ", "))")
      }
      let grantee = try model.requirePrincipal(principal)
      try requireManagement(actor, on: target, in: model, allowServices: false)

      let before = target.grants[grantee.id] ?? []
      let requested = PrivilegeSet(privileges)
      let after = adding ? before.union(requested) : before.subtracting(requested)
      guard after != before else { return }
      model.securables[Int(target.id)]!.grants[grantee.id] = after.isEmpty ? nil : after
      for privilege in after.symmetricDifference(before).privileges {
        let sql =
          adding
          ? "INSERT INTO grants (securable, principal, privilege) VALUES (?, ?, ?)"
          : "DELETE FROM grants WHERE securable = ? AND principal = ? AND privilege = ?"
        pending.execute(
          sql, .text(target.fullName), .text(grantee.name), .text(privilege.rawValue))
      }
      pending.record(.grantsChanged, principal: grantee.name, securable: target.fullName)
    }.result
  }

  /// Lists the grants made directly on a securable, sorted by principal and privilege. With
  /// `principal`, only when that principal can see the securable: one of its type's
  /// `visibilityPrivileges`, or the right to grant there (an owner of a parent has it), usage
  /// rules applied. Otherwise PERMISSION_DENIED, with what its use privilege lacks.
  public func listGrants(
    on securable: String, type: SecurableType? = nil, visibleTo principal: String? = nil
  ) throws(PolicyError) -> [GrantInfo] {
    let model = snapshot.model
    let target = try lookUpSecurable(securable, type: type, in: model)
    if let principal {
      try requireVisible(target, to: try model.requirePrincipal(principal), in: model)
    }
    var result: [GrantInfo] = []
    for (principal, set) in target.grants {
      let name = model.principal(principal).name
      for privilege in set.privileges {
        result.append(GrantInfo(principal: name, privilege: privilege))
      }
    }
    return result.sorted {
      ($0.principal, $0.privilege.bit) < ($1.principal, $1.privilege.bit)
    }
  }

  private func requireVisible(
    _ target: SecurableEntry, to principal: PrincipalEntry, in model: PolicyModel
  ) throws(PolicyError) {
    let privileges = target.type.visibilityPrivileges
    for privilege in privileges {
      if case .allowed = model.evaluate(principal, .privilege(privilege), on: target) { return }
    }
    if case .allowed = model.evaluate(principal, .management, on: target) { return }
    guard target.type != .metastore else {
      throw .permissionDenied(
        "\(principal.name) may not list the grants on the metastore: that needs CREATE_CATALOG,"
          + " which \(principal.name) lacks, or membership of metastore-admins")
    }
    // Below the metastore the list is BROWSE, use privileges, MANAGE. The first use
    // privilege's denial names the usage privileges that are missing as well.
    let named = privileges[1]
    let denial = makeDecision(
      model.evaluate(principal, .privilege(named), on: target), principal: principal,
      privilege: named, target: target, in: model)
    let needed = privileges.map(\.rawValue)
    let listed = needed.dropLast().joined(separator: ", ") + " or " + needed.last!
    throw .permissionDenied(
      "\(principal.name) may not list the grants on \(target.type.displayName)"
        + " \(target.fullName): that needs \(listed) there, ownership, or the right to grant"
        + " there; \(denial.reason)")
  }

  /// Lists every privilege `principal` holds on a securable with all of its sources, whether
  /// or not the principal also has the usage privileges needed to use it.
  public func effectivePrivileges(
    principal: String, on securable: String, type: SecurableType? = nil
  ) throws(PolicyError) -> [EffectivePrivilege] {
    let model = snapshot.model
    let entry = try model.requirePrincipal(principal)
    let target = try lookUpSecurable(securable, type: type, in: model)
    var result: [EffectivePrivilege] = []
    for privilege in target.type.checkablePrivileges.privileges {
      let holdings = model.allHoldings(privilege, on: target, principal: entry)
      guard !holdings.isEmpty else { continue }
      result.append(
        EffectivePrivilege(
          privilege: privilege,
          sources: holdings.map { model.source($0, principal: entry, target: target) }))
    }
    return result
  }

  /// Decides whether `principal` may grant, revoke and drop on a securable, usage included.
  public func checkManagement(
    principal: String, on securable: String, type: SecurableType? = nil
  ) throws(PolicyError) -> Decision {
    let model = snapshot.model
    let entry = try model.requirePrincipal(principal)
    let target = try lookUpSecurable(securable, type: type, in: model)
    return makeDecision(
      model.evaluate(entry, .management, on: target), principal: entry, privilege: .manage,
      target: target, in: model, isManagement: true)
  }
}
