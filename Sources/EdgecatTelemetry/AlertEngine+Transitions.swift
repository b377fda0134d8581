import EdgecatCore
import EdgecatProto
import EdgecatStore

extension AlertEngine {
  /// Inserts one transition with its audit event by the service principal, inside the
  /// evaluation's write, and returns it with its id.
  func storeTransition(
    _ rule: AlertRule, _ subject: String, from: AlertState, to: AlertState,
    _ status: AlertStatus, firingID: String, now: Double, _ db: Database
  ) throws -> AlertTransition {
    try db.execute(
      "INSERT INTO alert_transitions (rule_name, subject, from_state, to_state, value, samples,"
        + " severity, firing_id, action_result, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?)",
      .text(rule.name), .text(subject), .integer(Int64(from.rawValue)),
      .integer(Int64(to.rawValue)), .real(status.value), .integer(status.samples),
      .integer(Int64(rule.severity.rawValue)), .text(firingID), .real(now))
    var transition = AlertTransition()
    transition.transitionID = db.lastInsertRowID
    transition.ruleName = rule.name
    transition.subject = subject
    transition.fromState = from
    transition.toState = to
    transition.value = status.value
    transition.samples = status.samples
    transition.severity = rule.severity
    transition.firingID = firingID
    transition.at = DatetimeText.format(now)
    let event = serviceAudit(
      "AlertTransition", securable: AlertSubject(text: subject)?.model,
      [
        ("transition_id", String(transition.transitionID)), ("rule", rule.name),
        ("subject", subject), ("from", AlertNames.state(from)), ("to", AlertNames.state(to)),
        ("value", String(status.value)), ("samples", String(status.samples)),
        ("firing_id", firingID),
      ])
    try AuditTrail.insert(event, into: db)
    return transition
  }

  /// Returns the text an action gets as its reason, such as "rule Accuracy: accuracy < 0.9;
  /// main.ml.defects/3 measured 0.8 over 60 records".
  static func reason(
    _ rule: String, _ condition: String, _ subject: String, _ value: Double, _ samples: Int64
  ) -> String {
    "rule \(rule): \(condition); \(subject) measured \(value.shortText) over \(samples) records"
  }
}
