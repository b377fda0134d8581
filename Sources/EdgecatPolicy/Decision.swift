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
  /// The number that ends the decision's id, unique within the process.
  public let serial: UInt64
  let idPrefix: String

  /// A unique id for this decision, for the decision log and audit records: the prefix, then
  /// the serial number in lower-case hex without leading zeros. Written into one new string,
  /// where concatenating two strings would allocate twice.
  public var id: String {
    String(unsafeUninitializedCapacity: idByteCount(serial: serial)) {
      writeID(serial: serial, into: $0)
    }
  }

  /// Returns the length in UTF-8 bytes of the id this decision has under serial number
  /// `serial`.
  public func idByteCount(serial: UInt64) -> Int { idPrefix.utf8.count + Self.hexCount(serial) }

  /// Writes the UTF-8 bytes of the id this decision has under serial number `serial` at the
  /// start of `buffer` and returns their count. `buffer` has room for `idByteCount(serial:)`
  /// bytes; a repeat's serial comes from `PolicyEngine.repeatSerial(atRevision:)`.
  public func writeID(serial: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
    var prefix = idPrefix
    let used = prefix.withUTF8 { bytes in
      UnsafeMutableBufferPointer(rebasing: buffer[..<bytes.count]).initialize(fromContentsOf: bytes)
    }
    let digits = UnsafeMutableBufferPointer(rebasing: buffer[used...])
    return used + Self.writeHex(serial, into: digits)
  }

  /// Returns the number of hex digits of `value` without leading zeros, at least one.
  static func hexCount(_ value: UInt64) -> Int {
    max(1, (64 - value.leadingZeroBitCount + 3) / 4)
  }

  /// Writes `value` in lower-case hex without leading zeros at the start of `buffer` and
  /// returns the number of digits written.
  static func writeHex(_ value: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
    let digits: StaticString = "0123456789abcdef"
    let count = hexCount(value)
    for index in 0..<count {
      let shift = UInt64(4 * (count - 1 - index))
      buffer[index] = digits.utf8Start[Int(value >> shift & 0xF)]
    }
    return count
  }

  /// A sentence naming the principal, the privilege, the securable and the rule or the gaps,
  /// built in one buffer because Check builds one for every call.
  public var reason: String {
    ReasonText.build { appendReason(to: &$0) }
  }

  private func appendReason(to text: inout ReasonText) {
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
      return
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
