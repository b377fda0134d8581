import EdgecatProto
import EdgecatStore

/// The states of one alert and the moves between them. An alert whose condition starts to
/// hold is pending until it has held for the rule's `for_seconds`, then firing, or firing at
/// once when `for_seconds` is 0. A pending alert whose condition stops holding is inactive
/// again, and a firing one is resolved. A resolved alert starts over like an inactive one.
enum AlertStateMachine {
  /// Returns the state after one judgment. `pendingSince` is when the condition started to
  /// hold, for a pending alert.
  static func next(
    _ state: AlertState, holds: Bool, pendingSince: Double?, forSeconds: Int64, now: Double
  ) -> AlertState {
    switch (state, holds) {
    case (.firing, true):
      return .firing
    case (.firing, false):
      return .resolved
    case (.pending, true):
      let start = pendingSince ?? now
      return now - start >= Double(forSeconds) ? .firing : .pending
    case (.pending, false):
      return .inactive
    case (_, true):
      return forSeconds == 0 ? .firing : .pending
    case (.resolved, false):
      return .resolved
    case (_, false):
      return .inactive
    }
  }

  /// Returns the state an alert of a disabled rule moves to, as if its condition were gone.
  static func disabled(_ state: AlertState) -> AlertState {
    next(state, holds: false, pendingSince: nil, forSeconds: 0, now: 0)
  }
}

/// The stored state of one alert, as an evaluation reads it.
struct AlertStatus: Sendable {
  var state: AlertState
  var value: Double
  var samples: Int64
  var since: Double
  var pendingSince: Double?
  var firedAt: Double?
  var firingID: String
  var actionResult: String
  var actionDone: Bool

  static let columns =
    "subject, state, value, samples, since, pending_since, fired_at, firing_id, action_result,"
    + " action_done"

  init(state: AlertState, now: Double) {
    self.state = state
    value = 0
    samples = 0
    since = now
    firingID = ""
    actionResult = ""
    actionDone = true
  }

  /// Reads a row of `columns`, the subject first.
  init(row: Row) {
    state = AlertState(rawValue: Int32(truncatingIfNeeded: row[1].int64 ?? 0))
    value = row[2].double ?? 0
    samples = row[3].int64 ?? 0
    since = row[4].double ?? 0
    pendingSince = row[5].double
    firedAt = row[6].double
    firingID = row[7].string ?? ""
    actionResult = row[8].string ?? ""
    actionDone = row[9].bool ?? true
  }
}
