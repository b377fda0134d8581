import EdgecatStore

extension DecisionLog {
  /// Rows per multi-row INSERT. At 10 parameters a row this stays far below SQLite's default
  /// limit of 32,766 parameters per statement (999 before SQLite 3.32).
  static let rowsPerInsert = 64

  private static let fullInsert = insertSQL(rows: rowsPerInsert)
  private static let singleInsert = insertSQL(rows: 1)

  private static func insertSQL(rows: Int) -> String {
    let row = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    return "INSERT INTO decision_log (id, time, principal, privilege, securable, allowed, reason,"
      + " caller, request_id, revision) VALUES "
      + repeatElement(row, count: rows).joined(separator: ", ")
  }

  /// Inserts `batch` with one cached multi-row INSERT per `rowsPerInsert` rows and a one-row
  /// INSERT for each of the rest. Text values are copied into one reused buffer that the
  /// statement borrows, which saves SQLite an allocation and a copy per value. Runs on the
  /// store's writer thread, which builds the reasons that the request path did not.
  static func insert(_ batch: [QueuedDecision], into db: Database) throws {
    var text = TextScratch(capacity: 16 * 1024)
    var start = 0
    while start < batch.count {
      let rows = batch.count - start >= rowsPerInsert ? rowsPerInsert : 1
      let statement = try db.prepared(rows == rowsPerInsert ? fullInsert : singleInsert)
      // Reset clears the bindings, so no borrowed text stays bound once `text` is reused.
      defer { statement.reset() }
      text.reset(minimumCapacity: textByteCount(batch[start..<start + rows]))
      for row in 0..<rows {
        try bind(batch[start + row], to: statement, from: Int32(row * 10 + 1), copying: &text)
      }
      while try statement.step() {}
      start += rows
    }
  }

  /// Binds the 10 columns of one row at parameters `first` to `first + 9`.
  private static func bind(
    _ entry: QueuedDecision, to statement: PreparedStatement, from first: Int32,
    copying text: inout TextScratch
  ) throws {
    let decision = entry.decision
    try statement.bind(borrowedUTF8: copyID(of: decision, into: &text), at: first)
    try statement.bind(entry.time, at: first + 1)
    try statement.bind(borrowedUTF8: text.copy(decision.principal), at: first + 2)
    try statement.bind(borrowedUTF8: text.copy(decision.privilege.rawValue), at: first + 3)
    try statement.bind(borrowedUTF8: text.copy(decision.securable), at: first + 4)
    try statement.bind(Int64(decision.allowed ? 1 : 0), at: first + 5)
    if let reason = entry.reason {
      try statement.bind(borrowedUTF8: text.copy(reason), at: first + 6)
    } else {
      // Built here and not counted by `textByteCount`, so SQLite copies it.
      try statement.bind(decision.reason, at: first + 6)
    }
    try statement.bind(borrowedUTF8: text.copy(entry.caller), at: first + 7)
    try statement.bind(borrowedUTF8: text.copy(entry.requestID), at: first + 8)
    try statement.bind(Int64(decision.revision), at: first + 9)
  }

  /// Returns the bytes of text that binding `rows` copies, a decision id counted at its
  /// longest (16 hex digits).
  private static func textByteCount(_ rows: ArraySlice<QueuedDecision>) -> Int {
    var needed = 0
    for entry in rows {
      let decision = entry.decision
      needed += decision.idPrefix.utf8.count + 16 + decision.principal.utf8.count
      needed += decision.privilege.rawValue.utf8.count + decision.securable.utf8.count
      needed += entry.reason?.utf8.count ?? 0
      needed += entry.caller.utf8.count + entry.requestID.utf8.count
    }
    return needed
  }

  /// Copies a decision's id, the same text as `Decision.id`: its prefix, then its serial number
  /// in lower-case hex without leading zeros.
  private static func copyID(of decision: Decision, into text: inout TextScratch)
    -> UnsafeBufferPointer<UInt8>
  {
    text.write { free in
      var count = 0
      for byte in decision.idPrefix.utf8 {
        free[count] = byte
        count += 1
      }
      return count
        + Decision.writeHex(
          decision.serial, into: UnsafeMutableBufferPointer(rebasing: free[count...]))
    }
  }
}
