import EdgecatProto

/// A cache key for one decision.
struct DecisionKey: Hashable {
  let principal: String
  let privilege: String
  let type: Int32
  let securable: String
}

/// Cached authentications and decisions with the state of the Watch stream that guards them.
/// Not thread-safe; `PolicyClient` keeps it under a lock.
struct PolicyCache {
  private var decisions: [DecisionKey: Edgecat_Policy_V1_CheckResponse] = [:]
  private var authentications: [String: Edgecat_Policy_V1_AuthenticateResponse] = [:]
  /// When the Watch stream last delivered a message; nil while it is not connected.
  private var lastHeard: ContinuousClock.Instant?
  /// The highest revision the stream delivered.
  private(set) var deliveredRevision: UInt64 = 0
  private static let maximumEntries = 100_000

  func isValid(now: ContinuousClock.Instant, lease: Duration) -> Bool {
    guard let lastHeard else { return false }
    return now - lastHeard < lease
  }

  mutating func decision(_ key: DecisionKey, now: ContinuousClock.Instant, lease: Duration)
    -> Edgecat_Policy_V1_CheckResponse?
  {
    guard isValid(now: now, lease: lease) else {
      dropAll()
      return nil
    }
    return decisions[key]
  }

  /// Returns a cached authentication while the lease holds and the token has not expired at
  /// `wallClockMs`, in milliseconds since the Unix epoch. An expiry bumps no revision, so only
  /// this check drops an expired token's entry.
  mutating func authentication(
    _ key: String, now: ContinuousClock.Instant, lease: Duration, wallClockMs: Int64
  ) -> Edgecat_Policy_V1_AuthenticateResponse? {
    guard isValid(now: now, lease: lease) else {
      dropAll()
      return nil
    }
    guard let cached = authentications[key] else { return nil }
    if cached.expiresAtMs != 0, wallClockMs >= cached.expiresAtMs {
      authentications[key] = nil
      return nil
    }
    return cached
  }

  /// Keeps a decision only while the lease holds and when it is no older than the last revision
  /// the stream delivered, so a change that raced with the call cannot be undone by it.
  mutating func store(
    decision: Edgecat_Policy_V1_CheckResponse, for key: DecisionKey,
    now: ContinuousClock.Instant, lease: Duration
  ) {
    guard isValid(now: now, lease: lease), decision.revision >= deliveredRevision else { return }
    if decisions.count >= Self.maximumEntries { decisions.removeAll() }
    decisions[key] = decision
  }

  mutating func store(
    authentication: Edgecat_Policy_V1_AuthenticateResponse, for key: String,
    now: ContinuousClock.Instant, lease: Duration
  ) {
    guard isValid(now: now, lease: lease), authentication.revision >= deliveredRevision else {
      return
    }
    if authentications.count >= Self.maximumEntries { authentications.removeAll() }
    authentications[key] = authentication
  }

  /// Records a message from the stream; a revision past the last one drops every entry.
  mutating func heard(revision: UInt64, now: ContinuousClock.Instant) {
    lastHeard = now
    if revision > deliveredRevision {
      dropAll()
      deliveredRevision = revision
    }
  }

  /// Marks the stream broken, so nothing cached is used until it is back.
  mutating func disconnected() {
    lastHeard = nil
    dropAll()
  }

  mutating func dropAll() {
    decisions.removeAll(keepingCapacity: true)
    authentications.removeAll(keepingCapacity: true)
  }
}
