import EdgecatRPC

/// The identity of a call. `principal` is the end user that privileges are checked for. It
/// differs from `caller`, the token's own principal, when a member of edgecat-services calls
/// on behalf of a user through `x-edgecat-principal`.
public struct CallIdentity: Sendable {
  public let principal: String
  public let caller: String
  /// The caller's transitive groups.
  public let callerGroups: [String]
  /// The attributes of the token's own principal, such as "region".
  public let callerAttributes: [String: String]
  public let requestID: String
  /// The call's environment, from `x-edgecat-environment`; nil when the call names none.
  public let environment: String?

  public var callerIsService: Bool { callerGroups.contains(BuiltInGroups.services) }

  public var callerIsAdmin: Bool { callerGroups.contains(BuiltInGroups.admins) }
}

/// Names of the built-in groups.
public enum BuiltInGroups {
  public static let everyone = "account users"
  public static let admins = "metastore-admins"
  public static let services = "edgecat-services"
}

/// Metadata keys edgecat reads and passes on downstream.
public enum EdgecatMetadata {
  public static let principal = "x-edgecat-principal"
  public static let environment = "x-edgecat-environment"
  public static let requestID = "x-request-id"

  /// Returns the token of an `authorization: Bearer <token>` header, nil when it is missing or
  /// uses another scheme.
  public static func bearerToken(_ metadata: Metadata) -> String? {
    metadata["authorization"].flatMap(bearerToken(header:))
  }

  /// Returns the token of an `authorization` header value such as `Bearer <token>`, nil when it
  /// uses another scheme or has no token.
  public static func bearerToken(header value: String) -> String? {
    // The scheme is matched on its bytes, because lower-casing the whole value copies it on
    // every call.
    let bytes = value.utf8
    var index = bytes.startIndex
    for expected in "bearer ".utf8 {
      guard index < bytes.endIndex, asciiLowercase(bytes[index]) == expected else { return nil }
      index = bytes.index(after: index)
    }
    while index < bytes.endIndex && bytes[index] == UInt8(ascii: " ") {
      index = bytes.index(after: index)
    }
    guard index < bytes.endIndex else { return nil }
    // A non-ASCII byte here may begin a combining mark that joins the last space into one
    // character, so such a value takes the character-wise parse, which rejects that scheme.
    guard bytes[index] < 0x80 else { return bearerTokenByCharacters(value) }
    return String(value[index...])
  }

  private static func bearerTokenByCharacters(_ value: String) -> String? {
    let prefix = "bearer "
    guard value.count > prefix.count, value.lowercased().hasPrefix(prefix) else { return nil }
    let token = value.dropFirst(prefix.count).drop { $0 == " " }
    return token.isEmpty ? nil : String(token)
  }

  private static func asciiLowercase(_ byte: UInt8) -> UInt8 {
    byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
  }
}

extension SecurableKind {
  /// Lower-case name as people write it, such as "catalog" or "registered model".
  public var displayName: String {
    switch self {
    case .metastore: "metastore"
    case .catalog: "catalog"
    case .schema: "schema"
    case .table: "table"
    case .view: "view"
    case .volume: "volume"
    case .function: "function"
    case .registeredModel: "registered model"
    case .unspecified: "securable"
    case .unrecognized(let value): "securable type \(value)"
    }
  }
}
