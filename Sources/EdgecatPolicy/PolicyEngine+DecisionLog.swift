import EdgecatCore
import EdgecatStore

/// One decision as the decision log keeps it.
public struct LoggedDecision: Sendable, Hashable {
  public let id: String
  /// Seconds since the Unix epoch.
  public let time: Double
  /// The principal the decision is about.
  public let principal: String
  public let privilege: String
  /// The full name of the securable; empty for the metastore.
  public let securable: String
  public let allowed: Bool
  public let reason: String
  /// The authenticated principal that asked for the decision.
  public let caller: String
  public let requestID: String
  public let revision: UInt64
}

/// The filters and page of a decision log listing.
public struct DecisionFilter: Sendable, Hashable {
  /// The inclusive lower bound on the decision time, in seconds since the Unix epoch.
  public var startTime: Double?
  /// The exclusive upper bound on the decision time, in seconds since the Unix epoch.
  public var endTime: Double?
  /// The principal the decision is about.
  public var principal: String?
  /// The full name of the securable.
  public var securable: String?
  /// True lists only allowed decisions, false only denied ones.
  public var allowed: Bool?
  /// The privilege checked, such as `SELECT`.
  public var privilege: String?
  /// The authenticated principal that asked for the decision, such as `service:catalog`.
  public var caller: String?
  /// 0 means 100; a size above 1000 is clamped to 1000; negative is INVALID_ARGUMENT.
  public var pageSize: Int
  /// The `nextPageToken` of the previous page, or empty for the first page.
  public var pageToken: String

  public init(
    startTime: Double? = nil, endTime: Double? = nil, principal: String? = nil,
    securable: String? = nil, allowed: Bool? = nil, privilege: String? = nil,
    caller: String? = nil, pageSize: Int = 0, pageToken: String = ""
  ) {
    self.startTime = startTime
    self.endTime = endTime
    self.principal = principal
    self.securable = securable
    self.allowed = allowed
    self.privilege = privilege
    self.caller = caller
    self.pageSize = pageSize
    self.pageToken = pageToken
  }
}

/// One page of logged decisions, newest first.
public struct DecisionPage: Sendable {
  public let decisions: [LoggedDecision]
  /// The token of the next page; empty on the last page.
  public let nextPageToken: String
}

extension PolicyEngine {
  static let decisionList = "decisions"

  /// Queues one decision for the decision log, with the authenticated `caller` that asked.
  /// Cheap enough for the check path: it takes a lock and appends, with no database access.
  /// Pass `reason`, which must equal `decision.reason`, when it was built for the response
  /// already, so the log does not build it again.
  public func logDecision(
    _ decision: Decision, reason: String? = nil, caller: String, requestID: String
  ) {
    decisionLog.append(
      LoggableDecision(decision, reason: reason, caller: caller), serial: decision.serial,
      requestID: requestID)
  }

  /// Queues `logged` under the serial number `serial`, which is its decision's own unless a
  /// repeat of it got another from `repeatSerial(atRevision:)`.
  public func logDecision(_ logged: LoggableDecision, serial: UInt64? = nil, requestID: String) {
    decisionLog.append(logged, serial: serial ?? logged.decision.serial, requestID: requestID)
  }

  /// Queues the decisions of one batch check, as `logDecision` does. `reasons`, when given,
  /// holds the `reason` of each decision in the same order.
  public func logDecisions(
    _ decisions: [Decision], reasons: [String]? = nil, caller: String, requestID: String
  ) {
    precondition(reasons == nil || reasons?.count == decisions.count, "one reason per decision")
    let logged = decisions.indices.map { index in
      LoggableDecision(decisions[index], reason: reasons?[index], caller: caller)
    }
    decisionLog.append(logged, requestID: requestID)
  }

  /// Writes the queued decisions now and returns once they are committed.
  public func flushDecisionLog() async throws {
    do {
      try await decisionLog.flush()
    } catch {
      throw PolicyError.storage(error, operation: "writing the decision log")
    }
  }

  /// Deletes logged decisions older than the retention, as the background task does every
  /// prune interval, and returns how many it deleted.
  @discardableResult
  public func pruneDecisionLog() async throws -> Int {
    do {
      return try await decisionLog.prune()
    } catch {
      throw PolicyError.storage(error, operation: "pruning the decision log")
    }
  }

  /// Lists the logged decisions that match `filter`, newest first, one page at a time.
  /// Decisions still queued in memory are not listed. A bad page size, page token or time
  /// range is INVALID_ARGUMENT. The caller checks that the requester may read the log.
  public func listDecisions(_ filter: DecisionFilter) async throws -> DecisionPage {
    var filter = filter
    let limit = try Paging.limit(filter.pageSize)
    try LogQuery.checkRange(from: filter.startTime, to: filter.endTime)
    // Decisions name securables as stored: validated and in lower case.
    if let securable = filter.securable {
      do {
        filter.securable = try SecurableName(securable).fullName
      } catch {
        throw ServiceError.invalidArgument("securable filter: \(error.message)")
      }
    }
    let cursor = try DecisionCursor.decode(filter.pageToken, filter: filter)
    do {
      let (decisions, next) = try await store.read { [filter] db in
        try DecisionLog.page(filter, after: cursor, limit: limit, in: db)
      }
      return DecisionPage(decisions: decisions, nextPageToken: next?.token() ?? "")
    } catch {
      logger.error("decision log listing failed", ["error": "\(error)"])
      throw PolicyError.storage(error, operation: "listing decisions")
    }
  }
}
