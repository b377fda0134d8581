import EdgecatCore
import EdgecatStore

/// The position after the last decision of a page: its batch and its index in that batch,
/// with a digest of the listing's filters, so that a token is not used with other filters.
struct DecisionCursor: Sendable, Hashable {
  let batch: Int64
  let index: Int
  let filters: UInt64

  func token() -> String {
    let digest = String(filters, radix: 16)
    return Paging.token(list: PolicyEngine.decisionList, cursor: "\(batch).\(index).\(digest)")
  }

  /// Decodes a page token of the decision listing whose filters are `filter`; nil for an
  /// empty token. A malformed token, or one from a listing with other filters, is
  /// INVALID_ARGUMENT.
  static func decode(_ token: String, filter: DecisionFilter) throws(ServiceError)
    -> DecisionCursor?
  {
    guard let text = try Paging.cursor(in: token, list: PolicyEngine.decisionList) else {
      return nil
    }
    let fields = text.split(separator: ".", omittingEmptySubsequences: false)
    guard fields.count == 3, let batch = Int64(fields[0]), batch > 0, let index = Int(fields[1]),
      index >= 0, let filters = UInt64(fields[2], radix: 16)
    else {
      throw .invalidArgument(
        "page_token \"\(token.prefix(64))\" is malformed; pass the next_page_token of the"
          + " previous page unchanged")
    }
    guard filters == digest(of: filter) else {
      throw .invalidArgument(
        "page_token belongs to a listing with other filters; pass the same filters as for the"
          + " first page")
    }
    return DecisionCursor(batch: batch, index: index, filters: filters)
  }

  /// Returns an FNV-1a digest of the filters, which stays the same across restarts.
  static func digest(of filter: DecisionFilter) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    func mix(_ bytes: some Sequence<UInt8>) {
      for byte in bytes {
        hash ^= UInt64(byte)
        hash = hash &* 0x100_0000_01b3
      }
      hash ^= 0xff
      hash = hash &* 0x100_0000_01b3
    }
    mix(String(filter.startTime?.bitPattern ?? 0, radix: 16).utf8)
    mix(String(filter.endTime?.bitPattern ?? 0, radix: 16).utf8)
    mix((filter.principal.map { "p" + $0 } ?? "").utf8)
    mix((filter.securable.map { "s" + $0 } ?? "").utf8)
    // The filters added later mix in only when set, so that tokens of listings without them
    // stay valid.
    if let allowed = filter.allowed { mix((allowed ? "a1" : "a0").utf8) }
    if let privilege = filter.privilege { mix(("v" + privilege).utf8) }
    if let caller = filter.caller { mix(("c" + caller).utf8) }
    return hash
  }
}

extension DecisionLog {
  /// Batches read per query while filling a page.
  private static let batchesPerRead = 8

  /// Reads the decisions that match `filter` after `cursor`, newest first: `limit` of them
  /// and the cursor of the next page, nil on the last page. Runs on a reader thread. Time,
  /// principal and securable narrow the batches read in SQL; the outcome, privilege and caller
  /// are matched in each batch read.
  static func page(
    _ filter: DecisionFilter, after cursor: DecisionCursor?, limit: Int, in db: Database
  ) throws -> (decisions: [LoggedDecision], next: DecisionCursor?) {
    let filters = DecisionCursor.digest(of: filter)
    var conditions = ["id <= ?"]
    var values: [SQLValue] = [.integer(cursor?.batch ?? Int64.max)]
    if let start = filter.startTime {
      conditions.append("last_time >= ?")
      values.append(.real(start))
    }
    if let end = filter.endTime {
      conditions.append("first_time < ?")
      values.append(.real(end))
    }
    for (field, name) in [
      (DecisionBatch.NameField.principal, filter.principal),
      (DecisionBatch.NameField.securable, filter.securable),
    ] {
      guard let name else { continue }
      conditions.append(
        "id IN (SELECT batch FROM decision_batch_names WHERE field = ? AND name = ?)")
      values.append(contentsOf: [.integer(field.rawValue), .text(name)])
    }
    let sql =
      "SELECT id, body FROM decision_batches WHERE " + conditions.joined(separator: " AND ")
      + " ORDER BY id DESC LIMIT \(batchesPerRead)"

    var decisions: [LoggedDecision] = []
    // The position of the last decision taken, which the next page starts after once one
    // more match shows that there is a next page.
    var last: DecisionCursor?
    var upper = cursor?.batch ?? Int64.max
    while true {
      values[0] = .integer(upper)
      let rows = try db.query(sql, values)
      for row in rows {
        let id = row[0].int64 ?? 0
        guard case .blob(let body) = row[1], let batch = DecodedDecisionBatch(body: body) else {
          throw DecisionBatchError.corrupt(batch: id)
        }
        var index = batch.rows.count
        if let cursor, cursor.batch == id { index = min(index, cursor.index) }
        while index > 0 {
          index -= 1
          guard matches(batch, index, filter) else { continue }
          if decisions.count == limit { return (decisions, last) }
          decisions.append(batch.logged(index))
          last = DecisionCursor(batch: id, index: index, filters: filters)
        }
        upper = id - 1
      }
      if rows.count < batchesPerRead { return (decisions, nil) }
    }
  }

  private static func matches(_ batch: DecodedDecisionBatch, _ index: Int, _ filter: DecisionFilter)
    -> Bool
  {
    let row = batch.rows[index]
    if let start = filter.startTime, row.time < start { return false }
    if let end = filter.endTime, row.time >= end { return false }
    let kind = batch.kinds[row.kind]
    if let principal = filter.principal, kind.principal != principal { return false }
    if let securable = filter.securable, kind.securable != securable { return false }
    if let allowed = filter.allowed, kind.allowed != allowed { return false }
    if let privilege = filter.privilege, kind.privilege != privilege { return false }
    if let caller = filter.caller, kind.caller != caller { return false }
    return true
  }
}
