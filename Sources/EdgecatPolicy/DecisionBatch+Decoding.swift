import EdgecatCore

/// The kinds and rows of one stored batch.
struct DecodedDecisionBatch: Sendable {
  var kinds: [DecisionKind]
  /// Oldest first.
  var rows: [DecisionBatchRow]

  /// Decodes a body that `DecisionBatchWriter` wrote; nil for bytes it cannot have written.
  init?(body: [UInt8]) {
    var reader = LEB128Reader(body)
    guard reader.byte() == DecisionBatch.format, let kindCount = reader.integer(),
      kindCount <= UInt64(body.count)
    else { return nil }
    kinds = []
    kinds.reserveCapacity(Int(kindCount))
    for _ in 0..<kindCount {
      guard let idPrefix = reader.text(), let principal = reader.text(),
        let privilege = reader.text(), let securable = reader.text(), let reason = reader.text(),
        let caller = reader.text(), let allowed = reader.byte(), allowed <= 1,
        let revision = reader.integer()
      else { return nil }
      kinds.append(
        DecisionKind(
          idPrefix: idPrefix, principal: principal, privilege: privilege, securable: securable,
          allowed: allowed == 1, reason: reason, caller: caller, revision: revision))
    }
    guard let rowCount = reader.integer(), rowCount <= UInt64(body.count) else { return nil }
    rows = []
    rows.reserveCapacity(Int(rowCount))
    for _ in 0..<rowCount {
      guard let bits = reader.fixed64(), let kind = reader.integer(),
        kind < UInt64(kinds.count), let serial = reader.integer(), let requestID = reader.text()
      else { return nil }
      rows.append(
        DecisionBatchRow(
          time: Double(bitPattern: bits), kind: Int(kind), serial: serial == 0 ? nil : serial - 1,
          requestID: requestID))
    }
    guard reader.isAtEnd else { return nil }
  }

  /// The row at `index` as the listing returns it.
  func logged(_ index: Int) -> LoggedDecision {
    let row = rows[index]
    let kind = kinds[row.kind]
    var id = kind.idPrefix
    if let serial = row.serial { id += String(serial, radix: 16) }
    return LoggedDecision(
      id: id, time: row.time, principal: kind.principal, privilege: kind.privilege,
      securable: kind.securable, allowed: kind.allowed, reason: kind.reason, caller: kind.caller,
      requestID: row.requestID, revision: kind.revision)
  }
}
