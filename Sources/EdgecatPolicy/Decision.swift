/// The result of one check: allowed or denied, the reason, and the revision it was made at.
public struct Decision: Sendable {
  public let allowed: Bool
  public let principal: String
  /// The privilege checked, or MANAGE for the right to grant, revoke and drop.
  public let privilege: Privilege
  public let securable: String
  public let securableType: SecurableType
  /// The policy revision the decision was made at.
  public let revision: UInt64
  /// The rule that allowed it; nil for a denial.
  public let source: PrivilegeSource?
  /// Every privilege the principal lacks, outermost first; empty when allowed.
  public let missing: [MissingPrivilege]
  let isManagement: Bool
  let serial: UInt64
  let idPrefix: String

  /// A unique id for this decision, for the decision log and audit records.
  public var id: String { idPrefix + String(serial, radix: 16) }

  /// A sentence naming the principal, the privilege, the securable and the rule or the gaps.
  /// Built by appending bytes to one buffer, because Check builds one for every call.
  public var reason: String {
    var text = ReasonText()
    if isManagement {
      text += "granting, revoking and dropping on "
    } else {
      text += privilege.rawValue
      text += " on "
    }
    securableType.appendLabel(of: securable, to: &text)
    if let source {
      text += " is allowed for "
      text += principal
      text += ": "
      source.appendDescription(to: &text)
      return text.string
    }
    text += " is denied for "
    text += principal
    text += ", who lacks "
    for (index, item) in missing.enumerated() {
      if index > 0 { text += index == missing.count - 1 ? " and " : ", " }
      item.appendDescription(to: &text)
    }
    if isManagement, missing.last?.privilege == .manage {
      text += " (owners of it, its schema or its catalog may also grant)"
    }
    return text.string
  }
}

/// One check to decide.
public struct CheckRequest: Sendable, Hashable {
  public var principal: String
  public var privilege: Privilege
  /// The dotted full name; empty for the metastore.
  public var securable: String
  /// The expected type; nil accepts whatever type the name has.
  public var securableType: SecurableType?
  /// The lowest revision the decision may be made at; 0 accepts any.
  public var minimumRevision: UInt64

  public init(
    principal: String, privilege: Privilege, securable: String,
    securableType: SecurableType? = nil, minimumRevision: UInt64 = 0
  ) {
    self.principal = principal
    self.privilege = privilege
    self.securable = securable
    self.securableType = securableType
    self.minimumRevision = minimumRevision
  }
}
