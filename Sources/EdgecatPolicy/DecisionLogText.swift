/// A buffer of the text columns of one multi-row decision log INSERT, which the statement binds
/// without SQLite copying each value again. Reused across INSERTs on the writer thread.
struct DecisionLogText: ~Copyable {
  private var buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 16 * 1024)
  private var used = 0

  deinit { buffer.deallocate() }

  /// Empties the buffer and makes room for the text of `rows`, so that no copy moves while the
  /// statement borrows the earlier ones.
  mutating func reserve(_ rows: ArraySlice<QueuedDecision>) {
    used = 0
    var needed = 0
    for entry in rows {
      let decision = entry.decision
      needed += decision.idPrefix.utf8.count + 16 + decision.principal.utf8.count
      needed += decision.privilege.rawValue.utf8.count + decision.securable.utf8.count
      needed += entry.reason?.utf8.count ?? 0
      needed += entry.caller.utf8.count + entry.requestID.utf8.count
    }
    guard needed > buffer.count else { return }
    buffer.deallocate()
    buffer = .allocate(capacity: needed * 2)
  }

  /// Copies `text` after the previous copies and returns its bytes.
  mutating func copy(_ text: String) -> UnsafeBufferPointer<UInt8> {
    let start = used
    let copied = text.utf8.withContiguousStorageIfAvailable { bytes in
      UnsafeMutableBufferPointer(rebasing: buffer[start...]).initialize(fromContentsOf: bytes)
    }
    if let copied {
      used += copied
    } else {
      for byte in text.utf8 {
        buffer[used] = byte
        used += 1
      }
    }
    return UnsafeBufferPointer(rebasing: buffer[start..<used])
  }

  /// Copies a decision's id, the same text as `Decision.id`: its prefix, then its serial number
  /// in lower-case hex without leading zeros.
  mutating func copyID(of decision: Decision) -> UnsafeBufferPointer<UInt8> {
    let start = used
    _ = copy(decision.idPrefix)
    used += Decision.writeHex(
      decision.serial, into: UnsafeMutableBufferPointer(rebasing: buffer[used...]))
    return UnsafeBufferPointer(rebasing: buffer[start..<used])
  }
}
