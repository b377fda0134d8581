import EdgecatCrypto
import EdgecatStore

/// A token just created. `secret` is returned only here; the database keeps its SHA-256 hash.
public struct CreatedToken: Sendable {
  public let id: String
  public let principal: String
  public let secret: String
  /// Seconds since 1970, from the engine's clock when the token was stored.
  public let createdAt: Double
  public let expiresAt: Double?
  public let revision: UInt64
}

/// A token as listings show it, without its secret.
public struct TokenInfo: Sendable, Hashable {
  public let id: String
  public let principal: String
  public let description: String
  public let createdAt: Double
  public let expiresAt: Double?
  public let revokedAt: Double?
}

/// The result of authenticating a token.
public struct AuthenticatedPrincipal: Sendable, Hashable {
  public let principal: String
  public let kind: PrincipalKind
  /// Every group the principal belongs to, directly or through nested groups, sorted.
  public let groups: [String]
  public let attributes: [String: String]
  /// Whether `groups` contains edgecat-services and metastore-admins. Every Check reads the
  /// first, so both are computed once, when the token is authenticated.
  public let isService: Bool
  public let isAdmin: Bool

  public init(
    principal: String, kind: PrincipalKind, groups: [String], attributes: [String: String]
  ) {
    self.principal = principal
    self.kind = kind
    self.groups = groups
    self.attributes = attributes
    isService = groups.contains(BuiltInGroup.edgecatServices)
    isAdmin = groups.contains(BuiltInGroup.metastoreAdmins)
  }
}

extension PolicyEngine {
  /// Creates a token for `principal`, valid until `expiresAt` (seconds since the Unix epoch)
  /// or without end when nil. Admins, edgecat services and the principal itself may do this.
  public func createToken(
    for principal: String, expiresAt: Double? = nil, description: String = "",
    context: RequestContext
  ) async throws -> CreatedToken {
    let secret = "ect_" + (try SecureRandom.token())
    let id = "tok-" + Hex.encode(try SecureRandom.bytes(count: 8))
    var parameters = [("principal", principal), ("id", id), ("description", description)]
    if let expiresAt { parameters.append(("expires_at", String(expiresAt))) }
    let details = AuditDetails(action: "createToken", parameters: parameters)
    let (createdAt, result) = try await performWrite(details, context: context) {
      model, pending in
      let actor = try requireActor(context, in: model)
      if actor.name != principal {
        try requireAdmin(actor, in: model, orService: true, for: "create tokens for others")
      }
      let entry = try model.requirePrincipal(principal)
      guard entry.kind != .group else {
        throw PolicyError.invalidArgument(
          "'\(principal)' is a group; create tokens for users and service principals")
      }
      let now = options.clock()
      if let expiresAt, expiresAt <= now {
        throw PolicyError.invalidArgument(
          "expiry \(expiresAt) is not after the current time \(now); pass a later time")
      }
      try insertToken(
        TokenEntry(
          id: id, principal: entry.id, hash: SHA256.hexDigest(Array(secret.utf8)),
          createdAt: now, expiresAt: expiresAt, description: description),
        principal: principal, model: &model, pending: &pending)
      return now
    }
    return CreatedToken(
      id: id, principal: principal, secret: secret, createdAt: createdAt, expiresAt: expiresAt,
      revision: result.revision)
  }

  func insertToken(
    _ token: TokenEntry, principal: String, model: inout PolicyModel,
    pending: inout PendingWrite
  ) throws {
    model.tokensByHash[token.hash] = token
    model.tokenHashesByID[token.id] = token.hash
    pending.execute(
      "INSERT INTO tokens (id, principal, token_hash, description, created_at, expires_at)"
        + " VALUES (?, ?, ?, ?, ?, ?)", .text(token.id), .text(principal), .text(token.hash),
      .text(token.description), .real(token.createdAt), SQLValue(token.expiresAt))
    pending.record(.tokenCreated, principal: principal)
  }

  /// Revokes the token with `id`; revoking a revoked token changes nothing.
  @discardableResult
  public func revokeToken(id: String, context: RequestContext) async throws -> WriteResult {
    let details = AuditDetails(action: "revokeToken", parameters: [("id", id)])
    return try await performWrite(details, context: context) { model, pending in
      let actor = try requireActor(context, in: model)
      guard let hash = model.tokenHashesByID[id], let token = model.tokensByHash[hash] else {
        throw PolicyError.notFound("token '\(id)' does not exist; list tokens to find its id")
      }
      if token.principal != actor.id {
        try requireAdmin(actor, in: model, orService: true, for: "revoke tokens of others")
      }
      guard token.revokedAt == nil else { return }
      let now = options.clock()
      model.tokensByHash[hash]!.revokedAt = now
      pending.execute("UPDATE tokens SET revoked_at = ? WHERE id = ?", .real(now), .text(id))
      pending.record(.tokenRevoked, principal: model.principal(token.principal).name)
    }.result
  }

  /// Lists tokens, revoked ones included, without secrets; only those of `principal` when set.
  public func listTokens(for principal: String? = nil) -> [TokenInfo] {
    let model = snapshot.model
    return model.tokensByHash.values.compactMap { token in
      let owner = model.principal(token.principal).name
      guard principal == nil || principal == owner else { return nil }
      return TokenInfo(
        id: token.id, principal: owner, description: token.description,
        createdAt: token.createdAt, expiresAt: token.expiresAt, revokedAt: token.revokedAt)
    }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
  }

  /// Resolves a bearer token to its principal, or throws UNAUTHENTICATED when the token is
  /// empty, unknown, expired or revoked.
  public func authenticate(token: String) throws(PolicyError) -> AuthenticatedPrincipal {
    try authenticateWithExpiry(token: token).principal
  }

  /// Resolves a bearer token as `authenticate(token:)` does, and also returns when the token
  /// expires, in seconds since the Unix epoch (nil when it never does), for callers that
  /// cache the result.
  public func authenticateWithExpiry(token: String) throws(PolicyError) -> (
    principal: AuthenticatedPrincipal, expiresAt: Double?
  ) {
    guard !token.isEmpty else {
      throw PolicyError(
        code: .unauthenticated, message: "no token given; send 'authorization: Bearer <token>'")
    }
    // Reads the revision through the snapshot, because binding the model to a constant would
    // copy it, retaining each of its collections, on every call.
    let current = snapshot
    let now = options.clock()
    let cached = authenticationCache.withLock {
      $0.lookUp(token, revision: current.model.revision)
    }
    if let cached, cached.expiresAt.map({ now < $0 }) ?? true {
      return (cached.principal, cached.expiresAt)
    }
    let model = current.model
    guard let entry = model.tokensByHash[SHA256.hexDigest(Array(token.utf8))] else {
      throw PolicyError(
        code: .unauthenticated, message: "the token is not recognized; use a valid token")
    }
    if entry.revokedAt != nil {
      throw PolicyError(
        code: .unauthenticated, message: "token \(entry.id) was revoked; create a new token")
    }
    if let expiresAt = entry.expiresAt, now >= expiresAt {
      throw PolicyError(
        code: .unauthenticated, message: "token \(entry.id) has expired; create a new token")
    }
    let principal = model.principal(entry.principal)
    let authenticated = AuthenticatedPrincipal(
      principal: principal.name, kind: principal.kind,
      groups: principal.closure.filter { $0 != principal.id }.map { model.principal($0).name }
        .sorted(),
      attributes: principal.attributes)
    authenticationCache.withLock {
      $0.store(token, authenticated, expiresAt: entry.expiresAt, revision: model.revision)
    }
    return (authenticated, entry.expiresAt)
  }
}

/// Successful authentications at one revision. Revocations, deletions and membership changes
/// all bump the revision, which empties the cache; expiry is checked on every hit.
struct AuthenticationCache {
  struct Entry {
    let principal: AuthenticatedPrincipal
    let expiresAt: Double?
  }

  private var revision: UInt64 = 0
  private var entries: [String: Entry] = [:]
  /// The entry found or stored last, which a busy caller hits without hashing its token.
  private var last: (token: String, entry: Entry)?
  private static let maximumEntries = 10_000

  mutating func lookUp(_ token: String, revision: UInt64) -> Entry? {
    guard revision == self.revision else { return nil }
    if let last, last.token == token { return last.entry }
    guard let entry = entries[token] else { return nil }
    last = (token, entry)
    return entry
  }

  mutating func store(
    _ token: String, _ principal: AuthenticatedPrincipal, expiresAt: Double?, revision: UInt64
  ) {
    if revision != self.revision || entries.count >= Self.maximumEntries {
      entries.removeAll(keepingCapacity: true)
      last = nil
      self.revision = revision
    }
    let entry = Entry(principal: principal, expiresAt: expiresAt)
    entries[token] = entry
    last = (token, entry)
  }
}
