/// The kind of a principal. Service and device principals are named `service:<name>` and
/// `device:<id>`, while users and groups differ only by the kind given at creation.
public enum PrincipalKind: String, Sendable, Hashable, CaseIterable {
  case user = "USER"
  case group = "GROUP"
  case service = "SERVICE"
  case device = "DEVICE"

  /// The lower case word used in messages.
  var noun: String {
    switch self {
    case .user: "user"
    case .group: "group"
    case .service: "service principal"
    case .device: "device principal"
    }
  }
}

/// Names of the groups every policy database starts with.
public enum BuiltInGroup {
  /// Contains every principal; it takes no explicit members.
  public static let accountUsers = "account users"
  /// Members pass every check and need no usage privileges.
  public static let metastoreAdmins = "metastore-admins"
  /// Members may call the internal operations: register securables, check for others.
  public static let edgecatServices = "edgecat-services"

  static let all = [accountUsers, metastoreAdmins, edgecatServices]
}

/// Rules for principal names.
enum PrincipalName {
  static let servicePrefix = "service:"
  static let devicePrefix = "device:"
  static let maximumLength = 255

  /// Checks `name` for a principal of `kind`: 1 to 255 printable ASCII characters, no leading
  /// or trailing space, and the `service:` or `device:` prefix exactly for those kinds.
  static func validate(_ name: String, kind: PrincipalKind) throws(PolicyError) {
    let count = name.utf8.count
    guard count > 0, count <= maximumLength else {
      throw .invalidArgument(
        "principal name '\(name)' has \(count) bytes; use 1 to \(maximumLength)")
    }
    for scalar in name.unicodeScalars where scalar.value < 0x20 || scalar.value > 0x7E {
      let code = String(scalar.value, radix: 16, uppercase: true)
      throw .invalidArgument(
        "principal name '\(name)' contains U+\(code); use printable ASCII characters")
    }
    guard name.first != " ", name.last != " " else {
      throw .invalidArgument("principal name '\(name)' starts or ends with a space; trim it")
    }
    let prefix: String? =
      switch kind {
      case .service: servicePrefix
      case .device: devicePrefix
      case .user, .group: nil
      }
    if let prefix {
      guard name.hasPrefix(prefix), name.utf8.count > prefix.utf8.count else {
        throw .invalidArgument(
          "\(kind.noun) '\(name)' must be named '\(prefix)<name>'; add the prefix")
      }
    } else if name.hasPrefix(servicePrefix) || name.hasPrefix(devicePrefix) {
      throw .invalidArgument(
        "\(kind.noun) '\(name)' uses a service principal prefix; create it as that kind")
    }
  }
}
