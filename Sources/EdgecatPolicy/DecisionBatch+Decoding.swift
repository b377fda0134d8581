import EdgecatCore

/// The kinds and rows of one stored batch.
struct DecodedDecisionBatch: Sendable {
  var kinds: [DecisionKind]
  /// Oldest first.
  var rows: [DecisionBatchRow]

  /// Decodes a body that `DecisionBatchWriter` wrote, in the current format or format 1; nil
  /// for bytes it cannot have written.
  init?(body: [UInt8]) {
    var reader = LEB128Reader(body)
    guard let format = reader.byte(), format == 1 || format == DecisionBatch.format,
      let kinds = Self.kinds(&reader, limit: body.count)
    else { return nil }
    self.kinds = kinds
    var prefixes: [String] = []
    if format != 1 {
      guard let prefixCount = reader.integer(),
        prefixCount <= UInt64(DecisionBatch.maximumRequestIDPrefixes)
      else { return nil }
      for _ in 0..<prefixCount {
        guard let prefix = reader.text() else { return nil }
        prefixes.append(prefix)
      }
    }
    guard let rowCount = reader.integer(), rowCount <= UInt64(body.count) else { return nil }
    rows = []
    rows.reserveCapacity(Int(rowCount))
    var previous = PreviousValues(numbers: Array(repeating: 0, count: prefixes.count))
    for _ in 0..<rowCount {
      let row =
        format == 1
        ? Self.formatOneRow(&reader, kindCount: kinds.count)
        : Self.row(&reader, kindCount: kinds.count, prefixes: prefixes, previous: &previous)
      guard let row else { return nil }
      rows.append(row)
    }
    guard reader.isAtEnd else { return nil }
  }

  private static func kinds(_ reader: inout LEB128Reader, limit: Int) -> [DecisionKind]? {
    guard let kindCount = reader.integer(), kindCount <= UInt64(limit) else { return nil }
    var kinds: [DecisionKind] = []
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
    return kinds
  }

  /// The previous values that the rows of a batch are stored as steps from.
  private struct PreviousValues {
    var timeBits: UInt64 = 0
    var serial: UInt64 = 0
    /// Per request id prefix.
    var numbers: [UInt64]
  }

  private static func row(
    _ reader: inout LEB128Reader, kindCount: Int, prefixes: [String],
    previous: inout PreviousValues
  ) -> DecisionBatchRow? {
    guard let timeBits = reader.delta(from: previous.timeBits),
      let kindAndFlags = reader.integer(), kindAndFlags >> 2 < UInt64(kindCount)
    else { return nil }
    previous.timeBits = timeBits
    var serial: UInt64?
    if kindAndFlags & DecisionBatch.hasSerial != 0 {
      guard let value = reader.delta(from: previous.serial) else { return nil }
      serial = value
      previous.serial = value
    }
    let requestID: String
    if kindAndFlags & DecisionBatch.isNumbered != 0 {
      guard let index = reader.integer(), index < UInt64(prefixes.count),
        let number = reader.delta(from: previous.numbers[Int(index)])
      else { return nil }
      previous.numbers[Int(index)] = number
      requestID = RequestIDNumbering.requestID(prefix: prefixes[Int(index)], number: number)
    } else {
      guard let text = reader.text() else { return nil }
      requestID = text
    }
    return DecisionBatchRow(
      time: Double(bitPattern: timeBits), kind: Int(kindAndFlags >> 2), serial: serial,
      requestID: requestID)
  }

  private static func formatOneRow(_ reader: inout LEB128Reader, kindCount: Int)
    -> DecisionBatchRow?
  {
    guard let bits = reader.fixed64(), let kind = reader.integer(), kind < UInt64(kindCount),
      let serial = reader.integer(), let requestID = reader.text()
    else { return nil }
    return DecisionBatchRow(
      time: Double(bitPattern: bits), kind: Int(kind), serial: serial == 0 ? nil : serial - 1,
      requestID: requestID)
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
