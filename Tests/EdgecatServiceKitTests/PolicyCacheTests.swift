import EdgecatProto
import Testing

@testable import EdgecatServiceKit

@Suite("Policy cache lease rules")
struct PolicyCacheTests {
  let key = DecisionKey(principal: "alice", privilege: "SELECT", type: 4, securable: "a.b.c")
  let lease = Duration.milliseconds(300)

  func decision(revision: UInt64) -> Edgecat_Policy_V1_CheckResponse {
    var response = Edgecat_Policy_V1_CheckResponse()
    response.allowed = true
    response.revision = revision
    return response
  }

  @Test("nothing is cached before the stream is heard")
  func noStream() {
    var cache = PolicyCache()
    let now = ContinuousClock.now
    cache.store(decision: decision(revision: 1), for: key, now: now, lease: lease)
    #expect(cache.decision(key, now: now, lease: lease) == nil)
  }

  @Test("a decision is served within the lease")
  func withinLease() {
    var cache = PolicyCache()
    let now = ContinuousClock.now
    cache.heard(revision: 5, now: now)
    cache.store(decision: decision(revision: 5), for: key, now: now, lease: lease)
    #expect(cache.decision(key, now: now + .milliseconds(100), lease: lease)?.revision == 5)
  }

  @Test("the lease running out empties the cache")
  func leaseExpiry() {
    var cache = PolicyCache()
    let now = ContinuousClock.now
    cache.heard(revision: 5, now: now)
    cache.store(decision: decision(revision: 5), for: key, now: now, lease: lease)
    #expect(cache.decision(key, now: now + .milliseconds(301), lease: lease) == nil)
  }

  @Test("a decision older than the delivered revision is not kept")
  func staleDecision() {
    var cache = PolicyCache()
    let now = ContinuousClock.now
    cache.heard(revision: 7, now: now)
    cache.store(decision: decision(revision: 6), for: key, now: now, lease: lease)
    #expect(cache.decision(key, now: now, lease: lease) == nil)
  }

  @Test("a new revision drops every entry")
  func changeDropsEntries() {
    var cache = PolicyCache()
    let now = ContinuousClock.now
    cache.heard(revision: 5, now: now)
    cache.store(decision: decision(revision: 5), for: key, now: now, lease: lease)
    cache.heard(revision: 6, now: now)
    #expect(cache.decision(key, now: now, lease: lease) == nil)
  }

  @Test("expired token is not served")
  func expiredToken() {
    var cache = PolicyCache()
    let now = ContinuousClock.now
    var response = Edgecat_Policy_V1_AuthenticateResponse()
    response.principal = "alice"
    response.revision = 5
    response.expiresAtMs = 10_000
    cache.heard(revision: 5, now: now)
    cache.store(authentication: response, for: "t", now: now, lease: lease)
    #expect(
      cache.authentication("t", now: now, lease: lease, wallClockMs: 9_999)?.principal == "alice")
    #expect(cache.authentication("t", now: now, lease: lease, wallClockMs: 10_000) == nil)
    #expect(cache.authentication("t", now: now, lease: lease, wallClockMs: 9_999) == nil)
  }

  @Test("token without expiry is served")
  func tokenWithoutExpiry() {
    var cache = PolicyCache()
    let now = ContinuousClock.now
    var response = Edgecat_Policy_V1_AuthenticateResponse()
    response.principal = "alice"
    response.revision = 5
    cache.heard(revision: 5, now: now)
    cache.store(authentication: response, for: "t", now: now, lease: lease)
    #expect(
      cache.authentication("t", now: now, lease: lease, wallClockMs: .max)?.principal == "alice")
  }

  @Test("a broken stream drops every entry")
  func disconnect() {
    var cache = PolicyCache()
    let now = ContinuousClock.now
    cache.heard(revision: 5, now: now)
    cache.store(decision: decision(revision: 5), for: key, now: now, lease: lease)
    cache.disconnected()
    #expect(cache.decision(key, now: now, lease: lease) == nil)
  }
}
