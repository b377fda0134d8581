import EdgecatCore
import EdgecatProto
import EdgecatStore

typealias Alert = Edgecat_Telemetry_V1_Alert
typealias AlertTransition = Edgecat_Telemetry_V1_AlertTransition
typealias AlertState = Edgecat_Telemetry_V1_AlertState

/// Conversions between the alert tables' rows and the API messages.
enum AlertRows {
  static let ruleColumns =
    "name, metric, scope, condition, threshold, window_seconds, min_samples, for_seconds,"
    + " severity, action, description, enabled, created_at, updated_at"

  static func rule(_ row: Row) -> AlertRule {
    var rule = AlertRule()
    rule.name = row[0].string ?? ""
    rule.metric = .init(rawValue: Int32(truncatingIfNeeded: row[1].int64 ?? 0))
    rule.scope = .init(rawValue: Int32(truncatingIfNeeded: row[2].int64 ?? 0))
    rule.condition = .init(rawValue: Int32(truncatingIfNeeded: row[3].int64 ?? 0))
    rule.threshold = row[4].double ?? 0
    rule.windowSeconds = row[5].int64 ?? 0
    rule.minSamples = row[6].int64 ?? 0
    rule.forSeconds = row[7].int64 ?? 0
    rule.severity = .init(rawValue: Int32(truncatingIfNeeded: row[8].int64 ?? 0))
    rule.action = .init(rawValue: Int32(truncatingIfNeeded: row[9].int64 ?? 0))
    rule.description = row[10].string ?? ""
    rule.enabled = row[11].bool ?? false
    rule.createdAt = DatetimeText.format(row[12].double ?? 0)
    rule.updatedAt = DatetimeText.format(row[13].double ?? 0)
    return rule
  }

  /// Returns the values of `ruleColumns` but the two times, in order.
  static func ruleValues(_ rule: AlertRule) -> [SQLValue] {
    [
      .text(rule.name), .integer(Int64(rule.metric.rawValue)),
      .integer(Int64(rule.scope.rawValue)), .integer(Int64(rule.condition.rawValue)),
      .real(rule.threshold), .integer(rule.windowSeconds), .integer(rule.minSamples),
      .integer(rule.forSeconds), .integer(Int64(rule.severity.rawValue)),
      .integer(Int64(rule.action.rawValue)), .text(rule.description), SQLValue(rule.enabled),
    ]
  }

  static let alertColumns =
    "rule_name, subject, state, severity, value, samples, condition, action, action_result,"
    + " since, fired_at, firing_id, updated_at"

  static func alert(_ row: Row, offset: Int = 0) -> Alert {
    var alert = Alert()
    alert.ruleName = row[offset].string ?? ""
    alert.subject = row[offset + 1].string ?? ""
    alert.state = .init(rawValue: Int32(truncatingIfNeeded: row[offset + 2].int64 ?? 0))
    alert.severity = .init(rawValue: Int32(truncatingIfNeeded: row[offset + 3].int64 ?? 0))
    alert.value = row[offset + 4].double ?? 0
    alert.samples = row[offset + 5].int64 ?? 0
    alert.condition = row[offset + 6].string ?? ""
    alert.action = .init(rawValue: Int32(truncatingIfNeeded: row[offset + 7].int64 ?? 0))
    alert.actionResult = row[offset + 8].string ?? ""
    alert.since = DatetimeText.format(row[offset + 9].double ?? 0)
    alert.firedAt = row[offset + 10].double.map(DatetimeText.format) ?? ""
    alert.firingID = row[offset + 11].string ?? ""
    alert.updatedAt = DatetimeText.format(row[offset + 12].double ?? 0)
    return alert
  }

  static let transitionColumns =
    "id, rule_name, subject, from_state, to_state, value, samples, severity, firing_id,"
    + " action_result, at"

  static func transition(_ row: Row) -> AlertTransition {
    var transition = AlertTransition()
    transition.transitionID = row[0].int64 ?? 0
    transition.ruleName = row[1].string ?? ""
    transition.subject = row[2].string ?? ""
    transition.fromState = .init(rawValue: Int32(truncatingIfNeeded: row[3].int64 ?? 0))
    transition.toState = .init(rawValue: Int32(truncatingIfNeeded: row[4].int64 ?? 0))
    transition.value = row[5].double ?? 0
    transition.samples = row[6].int64 ?? 0
    transition.severity = .init(rawValue: Int32(truncatingIfNeeded: row[7].int64 ?? 0))
    transition.firingID = row[8].string ?? ""
    transition.actionResult = row[9].string ?? ""
    transition.at = DatetimeText.format(row[10].double ?? 0)
    return transition
  }
}
