import EdgecatCore
import EdgecatCrypto
import EdgecatProto
import EdgecatStore

extension AlertEngine {
  /// Moves the alerts of one rule by its measurements, inside the evaluation's write, and
  /// adds the stored transitions and the actions to run to `outcome`. A subject with fewer
  /// samples than the rule's minimum keeps its state, and one not measured at all resolves.
  /// nil measurements mean the rule is disabled.
  func apply(
    _ rule: AlertRule, _ measurements: [AlertMeasurement]?, now: Double,
    to outcome: inout AlertEvaluationOutcome, in db: Database
  ) throws {
    // A rule deleted or changed since the snapshot of the measurements waits for the next
    // evaluation, so no alert moves by a condition that no longer exists.
    let stored = try db.queryOne(
      "SELECT updated_at FROM alert_rules WHERE name = ?", .text(rule.name))
    guard let updatedAt = stored?[0].double, DatetimeText.format(updatedAt) == rule.updatedAt
    else { return }
    var statuses: [String: AlertStatus] = [:]
    let rows = try db.query(
      "SELECT \(AlertStatus.columns) FROM alerts WHERE rule_name = ?", .text(rule.name))
    for row in rows { statuses[row[0].string ?? ""] = AlertStatus(row: row) }

    guard let measurements else {
      for (subject, status) in statuses.sorted(by: { $0.key < $1.key })
      where status.state == .pending || status.state == .firing {
        let next = AlertStateMachine.disabled(status.state)
        _ = try move(
          rule, subject, from: status, to: next, status.value, status.samples, now: now,
          &outcome, db)
      }
      return
    }
    // A subject with no data in the window at all, such as a version that a rollback took
    // off every device or a device gone from the inventory, resolves as if the condition
    // were gone. One with some data but fewer samples than the minimum keeps its state.
    let measured = Set(measurements.map(\.subject.text))
    for (subject, status) in statuses.sorted(by: { $0.key < $1.key })
    where !measured.contains(subject) && (status.state == .pending || status.state == .firing) {
      statuses[subject] = try move(
        rule, subject, from: status, to: AlertStateMachine.disabled(status.state), status.value,
        0, now: now, &outcome, db)
    }
    for measurement in measurements where measurement.samples >= rule.minSamples {
      let subject = measurement.subject.text
      let status = statuses[subject]
      let next = AlertStateMachine.next(
        status?.state ?? .inactive, holds: measurement.holds(rule),
        pendingSince: status?.pendingSince, forSeconds: rule.forSeconds, now: now)
      if status == nil && next == .inactive { continue }
      // A subject measured twice, such as a device listed twice, moves from its new status.
      statuses[subject] = try move(
        rule, subject, from: status ?? AlertStatus(state: .inactive, now: now), to: next,
        measurement.value, measurement.samples, now: now, &outcome, db)
    }
  }

  /// Stores one alert's judgment and, when its state changes, the transition with its audit
  /// event, and returns the new status. An alert that starts firing gets a new firing id and
  /// an action to run.
  private func move(
    _ rule: AlertRule, _ subject: String, from old: AlertStatus, to next: AlertState,
    _ value: Double, _ samples: Int64, now: Double, _ outcome: inout AlertEvaluationOutcome,
    _ db: Database
  ) throws -> AlertStatus {
    var status = old
    status.value = value
    status.samples = samples
    if next != old.state {
      status.state = next
      status.since = now
      status.pendingSince = next == .pending ? now : nil
      var firingID = old.state == .firing ? old.firingID : ""
      if next == .firing {
        firingID = try SecureRandom.token(byteCount: 12)
        status.firingID = firingID
        status.firedAt = now
        status.actionResult = ""
        status.actionDone = false
      }
      let transition = try storeTransition(
        rule, subject, from: old.state, to: next, status, firingID: firingID, now: now, db)
      outcome.transitions.append(transition)
      if next == .firing {
        outcome.actions.append(
          AlertActionRequest(
            ruleName: rule.name, subject: subject, action: rule.action, firingID: firingID,
            transitionID: transition.transitionID,
            reason: Self.reason(rule.name, rule.description, subject, value, samples)))
      }
    }
    try db.execute(
      "INSERT INTO alerts (rule_name, subject, state, severity, value, samples, condition,"
        + " action, action_result, action_done, since, pending_since, fired_at, firing_id,"
        + " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        + " ON CONFLICT (rule_name, subject) DO UPDATE SET state = excluded.state,"
        + " severity = excluded.severity, value = excluded.value, samples = excluded.samples,"
        + " condition = excluded.condition, action = excluded.action,"
        + " action_result = excluded.action_result, action_done = excluded.action_done,"
        + " since = excluded.since, pending_since = excluded.pending_since,"
        + " fired_at = excluded.fired_at, firing_id = excluded.firing_id,"
        + " updated_at = excluded.updated_at",
      .text(rule.name), .text(subject), .integer(Int64(status.state.rawValue)),
      .integer(Int64(rule.severity.rawValue)), .real(status.value), .integer(status.samples),
      .text(rule.description), .integer(Int64(rule.action.rawValue)),
      .text(status.actionResult), SQLValue(status.actionDone), .real(status.since),
      SQLValue(status.pendingSince), SQLValue(status.firedAt), .text(status.firingID),
      .real(now))
    return status
  }
}
