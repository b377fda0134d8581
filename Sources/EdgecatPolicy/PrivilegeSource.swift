/// The origin of a principal's privilege on a securable: admin, ownership or a grant.
public struct PrivilegeSource: Sendable, Hashable, CustomStringConvertible {
  public enum Kind: String, Sendable, Hashable {
    /// The principal is a metastore admin.
    case admin
    /// The principal, or a group it belongs to, owns the securable.
    case ownership
    /// The principal, or a group it belongs to, owns the catalog of the schema.
    case catalogOwnership
    /// A grant on the securable or on a parent.
    case grant
  }

  public let kind: Kind
  /// The principal checked.
  public let principal: String
  /// The grantee or owner, which is `principal` itself or a group that contains it.
  public let holder: String
  /// The securable the grant or ownership is on; empty for admin.
  public let securable: String
  public let securableType: SecurableType
  /// The privilege granted, ALL_PRIVILEGES when it covers the one checked; nil when not a grant.
  public let grantedPrivilege: Privilege?
  /// True when the grant or ownership is on a parent of the securable checked.
  public let isInherited: Bool

  /// True when the privilege reaches `principal` through a group.
  public var isThroughGroup: Bool { holder != principal }

  public var description: String {
    ReasonText.build { appendDescription(to: &$0) }
  }

  /// Appends `description` to `text`, so that a reason is built in one string.
  func appendDescription(to text: inout ReasonText) {
    switch kind {
    case .admin:
      text += principal
      text += " is a member of "
      text += BuiltInGroup.metastoreAdmins
      text += ", which passes every check"
    case .ownership:
      securableType.appendLabel(of: securable, to: &text)
      text += " is owned by "
      appendHolder(to: &text)
    case .catalogOwnership:
      securableType.appendLabel(of: securable, to: &text)
      text += " is owned by "
      appendHolder(to: &text)
      text += ", which counts as USE_SCHEMA on its schemas"
    case .grant:
      text += grantedPrivilege?.rawValue ?? ""
      text += " on "
      securableType.appendLabel(of: securable, to: &text)
      text += " is granted to "
      appendHolder(to: &text)
    }
  }

  private func appendHolder(to text: inout ReasonText) {
    guard isThroughGroup else {
      text += principal
      return
    }
    text += "group "
    text += holder
    text += ", which contains "
    text += principal
  }
}

/// A privilege a denied principal lacks, on the securable where it is needed.
public struct MissingPrivilege: Sendable, Hashable, CustomStringConvertible {
  public let privilege: Privilege
  public let securable: String
  public let securableType: SecurableType

  public var description: String {
    ReasonText.build { appendDescription(to: &$0) }
  }

  /// Appends `description` to `text`, so that a reason is built in one string.
  func appendDescription(to text: inout ReasonText) {
    text += privilege.rawValue
    text += " on "
    securableType.appendLabel(of: securable, to: &text)
  }
}

/// One privilege a principal holds on a securable and every source of it.
public struct EffectivePrivilege: Sendable, Hashable {
  public let privilege: Privilege
  public let sources: [PrivilegeSource]
}

extension PolicyModel {
  /// Converts a source found by evaluation into names, for `principal` checked on `target`.
  func source(
    _ holding: Holding, principal: PrincipalEntry, target: SecurableEntry
  ) -> PrivilegeSource {
    switch holding {
    case .admin:
      return PrivilegeSource(
        kind: .admin, principal: principal.name, holder: BuiltInGroup.metastoreAdmins,
        securable: "", securableType: .metastore, grantedPrivilege: nil, isInherited: false)
    case .ownership(let owner, let id):
      return makeSource(.ownership, principal, owner, id, nil, target)
    case .catalogOwnership(let owner, let catalog):
      return makeSource(.catalogOwnership, principal, owner, catalog, nil, target)
    case .grant(let privilege, let id, let grantee):
      return makeSource(.grant, principal, grantee, id, privilege, target)
    }
  }

  private func makeSource(
    _ kind: PrivilegeSource.Kind, _ principal: PrincipalEntry, _ holder: Int32, _ on: Int32,
    _ privilege: Privilege?, _ target: SecurableEntry
  ) -> PrivilegeSource {
    let entry = securable(on)
    return PrivilegeSource(
      kind: kind, principal: principal.name, holder: self.principal(holder).name,
      securable: entry.fullName, securableType: entry.type, grantedPrivilege: privilege,
      isInherited: on != target.id)
  }

  func missingPrivileges(
    _ missing: [(privilege: Privilege, securable: Int32)]
  ) -> [MissingPrivilege] {
    missing.map { item in
      let entry = securable(item.securable)
      return MissingPrivilege(
        privilege: item.privilege, securable: entry.fullName, securableType: entry.type)
    }
  }
}
