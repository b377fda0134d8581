import EdgecatProto
import EdgecatRPC

/// A request to check whether `principal` has `privilege` on a securable.
public struct CheckQuery: Sendable, Hashable {
  public var principal: String
  /// The privilege name in upper snake case, such as "SELECT" or "USE_CATALOG".
  public var privilege: String
  public var type: SecurableKind
  /// The dotted full name of the securable.
  public var securable: String

  public init(principal: String, privilege: String, type: SecurableKind, securable: String) {
    self.principal = principal
    self.privilege = privilege
    self.type = type
    self.securable = securable
  }

  var key: DecisionKey {
    DecisionKey(
      principal: principal, privilege: privilege, type: type.rawValue, securable: securable)
  }
}

extension PolicyClient {
  // NOTE: the policy service sets no count limit on BatchCheck, only the transport's default
  // 4 MiB message limit. By estimate, 1000 checks with names of the maximum 767 bytes and
  // their reasons stay under it, so raise this only together with that limit.
  /// The maximum number of checks sent in one BatchCheck call.
  public static let maximumBatchChecks = 1000

  /// Checks every query and returns one result per query, in order. Results are served from
  /// the cache under the same rules as `check`. The queries not in the cache are sent once
  /// each, in BatchCheck calls of at most `maximumBatchChecks`, and their results are cached.
  /// A query the policy service rejects, such as one naming an unknown securable, fails the
  /// whole call with that status.
  public func checkAll(
    _ queries: [CheckQuery], requestID: String, deadline: Deadline? = nil
  ) async throws(RPCError) -> [CheckResponse] {
    var results = cachedDecisions(queries)

    // Each distinct query that missed the cache, with the positions in `queries` it fills.
    var pending: [CheckQuery] = []
    var positions: [[Int]] = []
    var slots: [DecisionKey: Int] = [:]
    for (index, query) in queries.enumerated() where results[index] == nil {
      let key = query.key
      if let slot = slots[key] {
        positions[slot].append(index)
      } else {
        slots[key] = pending.count
        pending.append(query)
        positions.append([index])
      }
    }

    for start in stride(from: 0, to: pending.count, by: Self.maximumBatchChecks) {
      let end = min(start + Self.maximumBatchChecks, pending.count)
      let decisions = try await batchCheck(
        pending[start..<end], requestID: requestID, deadline: deadline)
      for (offset, decision) in decisions.enumerated() {
        for index in positions[start + offset] { results[index] = decision }
      }
    }

    var ordered: [CheckResponse] = []
    ordered.reserveCapacity(queries.count)
    for result in results {
      guard let result else { preconditionFailure("checkAll left a query without a result") }
      ordered.append(result)
    }
    return ordered
  }

  /// Returns the cached decision of each query, nil where none may be used.
  private func cachedDecisions(_ queries: [CheckQuery]) -> [CheckResponse?] {
    guard !watchHasUnappliedMessages else { return Array(repeating: nil, count: queries.count) }
    let now = ContinuousClock.now
    return cache.withLock { cache in
      queries.map { cache.decision($0.key, now: now, lease: leaseDuration) }
    }
  }

  /// Sends one BatchCheck call and caches its results, which it returns in request order.
  private func batchCheck(
    _ queries: ArraySlice<CheckQuery>, requestID: String, deadline: Deadline?
  ) async throws(RPCError) -> [CheckResponse] {
    var request = Edgecat_Policy_V1_BatchCheckRequest()
    request.checks = queries.map { query in
      var check = Edgecat_Policy_V1_CheckRequest()
      check.principal = query.principal
      check.privilege = query.privilege
      check.securableType = query.type
      check.securableFullName = query.securable
      return check
    }
    let response: Edgecat_Policy_V1_BatchCheckResponse = try await call(
      "BatchCheck", request, requestID: requestID, deadline: deadline)
    guard response.results.count == queries.count else {
      throw RPCError(
        .internal,
        "BatchCheck returned \(response.results.count) results for \(queries.count) checks;"
          + " the policy service at \(endpoint) must return one result per check")
    }
    cache.withLock { cache in
      let now = ContinuousClock.now
      for (query, decision) in zip(queries, response.results) {
        cache.store(decision: decision, for: query.key, now: now, lease: leaseDuration)
      }
    }
    return response.results
  }
}
