/// A privilege that can be granted on a securable, spelled in upper snake case.
public enum Privilege: String, Sendable, Hashable, CaseIterable {
  case createCatalog = "CREATE_CATALOG"
  case useCatalog = "USE_CATALOG"
  case createSchema = "CREATE_SCHEMA"
  case useSchema = "USE_SCHEMA"
  case createTable = "CREATE_TABLE"
  case createFunction = "CREATE_FUNCTION"
  case createVolume = "CREATE_VOLUME"
  case createModel = "CREATE_MODEL"
  case browse = "BROWSE"
  case select = "SELECT"
  case modify = "MODIFY"
  case readVolume = "READ_VOLUME"
  case writeVolume = "WRITE_VOLUME"
  case execute = "EXECUTE"
  case deploy = "DEPLOY"
  case manage = "MANAGE"
  case allPrivileges = "ALL_PRIVILEGES"

  private static let canonicalNames = Dictionary(
    uniqueKeysWithValues: allCases.map { ($0.rawValue, $0) })

  /// Parses a privilege name in any case, with `_` or a space between words.
  public static func named(_ text: String) throws(PolicyError) -> Privilege {
    // Services send the canonical spelling, which needs no case mapping or copy, and a hashed
    // look-up finds it with fewer string comparisons than `init(rawValue:)`, which tries the
    // cases in order.
    if let exact = canonicalNames[text] { return exact }
    let normalized = String(text.uppercased().map { $0 == " " ? "_" : $0 })
    guard let privilege = Privilege(rawValue: normalized) else {
      let known = Privilege.allCases.map(\.rawValue).joined(separator: ", ")
      throw .invalidArgument("unknown privilege '\(text)'; use one of \(known)")
    }
    return privilege
  }

  /// The bit of this privilege in a `PrivilegeSet`.
  var bit: UInt32 {
    switch self {
    case .createCatalog: 1 << 0
    case .useCatalog: 1 << 1
    case .createSchema: 1 << 2
    case .useSchema: 1 << 3
    case .createTable: 1 << 4
    case .createFunction: 1 << 5
    case .createVolume: 1 << 6
    case .createModel: 1 << 7
    case .browse: 1 << 8
    case .select: 1 << 9
    case .modify: 1 << 10
    case .readVolume: 1 << 11
    case .writeVolume: 1 << 12
    case .execute: 1 << 13
    case .deploy: 1 << 14
    case .manage: 1 << 15
    case .allPrivileges: 1 << 16
    }
  }
}

/// A set of privileges as a bit mask, so that grant lookups on the check path do not allocate.
public struct PrivilegeSet: Sendable, Hashable, ExpressibleByArrayLiteral {
  public let rawValue: UInt32

  public init(rawValue: UInt32) { self.rawValue = rawValue }

  public init(_ privileges: some Sequence<Privilege>) {
    var raw: UInt32 = 0
    for privilege in privileges { raw |= privilege.bit }
    rawValue = raw
  }

  public init(arrayLiteral privileges: Privilege...) { self.init(privileges) }

  public var isEmpty: Bool { rawValue == 0 }

  public func contains(_ privilege: Privilege) -> Bool { rawValue & privilege.bit != 0 }

  public func union(_ other: PrivilegeSet) -> PrivilegeSet {
    PrivilegeSet(rawValue: rawValue | other.rawValue)
  }

  public func subtracting(_ other: PrivilegeSet) -> PrivilegeSet {
    PrivilegeSet(rawValue: rawValue & ~other.rawValue)
  }

  public func symmetricDifference(_ other: PrivilegeSet) -> PrivilegeSet {
    PrivilegeSet(rawValue: rawValue ^ other.rawValue)
  }

  public mutating func insert(_ privilege: Privilege) {
    self = PrivilegeSet(rawValue: rawValue | privilege.bit)
  }

  /// The privileges in declaration order, which is also the order listings use.
  public var privileges: [Privilege] { Privilege.allCases.filter { contains($0) } }
}
