/// The spool position the forwarder must read from again to find resent entries: the seq and
/// the label id just below the lowest resent ones.
struct ResendMark: Sendable, Equatable {
  var afterSeq: UInt64
  var afterLabelID: Int64

  func merged(with other: ResendMark?) -> ResendMark {
    guard let other else { return self }
    return ResendMark(
      afterSeq: min(afterSeq, other.afterSeq),
      afterLabelID: min(afterLabelID, other.afterLabelID))
  }
}

extension Spool {
  /// Returns and clears the position the forwarder must read from again to send the entries
  /// resent since the last call; nil when nothing was resent.
  func takeResendMark() -> ResendMark? {
    state.withLock { state in
      defer { state.resendMark = nil }
      return state.resendMark
    }
  }
}
