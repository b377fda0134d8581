import EdgecatStore

extension DecisionLog {
  /// Moves the rows of `decision_log`, the table of one row per decision that older databases
  /// have, into `decision_batches` and drops it, in one transaction. Returns the number of
  /// rows moved, 0 when there is no such table.
  @discardableResult
  func convertRows() async throws -> Int {
    let moved = try await store.write { db -> Int in
      let exists = try db.queryOne(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'decision_log'")
      guard exists != nil else { return 0 }
      var moved = 0
      var after: (time: Double, rowID: Int64)?
      while true {
        let (writer, last) = try Self.readRows(after: after, from: db)
        guard let last else { break }
        try Self.write(writer, into: db)
        moved += writer.count
        after = last
      }
      try db.executeScript("DROP TABLE decision_log")
      return moved
    }
    if moved > 0 {
      logger.info("decision log rows moved into batches", ["decisions": moved])
    }
    return moved
  }

  /// Reads up to one batch of `decision_log` rows after `after` in (time, rowid) order.
  private static func readRows(
    after: (time: Double, rowID: Int64)?, from db: Database
  ) throws -> (DecisionBatchWriter, (time: Double, rowID: Int64)?) {
    var sql =
      "SELECT rowid, time, id, principal, privilege, securable, allowed, reason, caller,"
      + " request_id, revision FROM decision_log"
    var values: [SQLValue] = []
    if let after {
      sql += " WHERE (time, rowid) > (?, ?)"
      values = [.real(after.time), .integer(after.rowID)]
    }
    sql += " ORDER BY time, rowid LIMIT ?"
    values.append(.integer(Int64(DecisionBatch.maximumRows)))
    var writer = DecisionBatchWriter(rowCapacity: DecisionBatch.maximumRows)
    var last: (time: Double, rowID: Int64)?
    for row in try db.query(sql, values) {
      let time = row[1].double ?? 0
      let (prefix, serial) = splitID(row[2].string ?? "")
      let kind = DecisionKind(
        idPrefix: prefix, principal: row[3].string ?? "", privilege: row[4].string ?? "",
        securable: row[5].string ?? "", allowed: row[6].bool ?? false,
        reason: row[7].string ?? "", caller: row[8].string ?? "",
        revision: UInt64(row[10].int64 ?? 0))
      writer.append(kind, time: time, serial: serial, requestID: row[9].string ?? "")
      last = (time, row[0].int64 ?? 0)
    }
    return (writer, last)
  }

  /// Splits a decision id into its prefix and its serial number: the lower-case hex digits
  /// after the last `-`, without leading zeros. An id of another shape is all prefix, and so
  /// is one with the largest serial, which the batch layout stores as serial plus 1.
  static func splitID(_ id: String) -> (prefix: String, serial: UInt64?) {
    guard let dash = id.lastIndex(of: "-") else { return (id, nil) }
    let digits = id[id.index(after: dash)...]
    guard let serial = UInt64(digits, radix: 16), serial < UInt64.max,
      String(serial, radix: 16) == digits
    else {
      return (id, nil)
    }
    return (String(id[...dash]), serial)
  }
}
