import EdgecatCore
import EdgecatProto
import EdgecatStore

extension AlertEngine {
  /// Runs each action in order and returns its result text. Notify and retrain call nothing:
  /// the stored transition is their record.
  func runActions(_ requests: [AlertActionRequest]) async -> [String] {
    var results: [String] = []
    for request in requests {
      let subject = AlertSubject(text: request.subject)
      let result: String
      switch request.action {
      case .rollback:
        if let model = subject?.model, let version = subject?.version {
          result = await actions.rollback(
            modelFullName: model, version: version, firingID: request.firingID,
            reason: request.reason)
        } else {
          result = "rollback skipped: subject \(request.subject) names no model version"
        }
      case .resendDesiredState:
        if let device = subject?.deviceID {
          result = await actions.resendDesiredState(deviceID: device, reason: request.reason)
        } else {
          result = "resend skipped: subject \(request.subject) names no device"
        }
      case .retrain:
        result = "retraining needed for \(subject?.model ?? request.subject) recorded"
      default:
        result = "notified"
      }
      logger.info(
        "alert action finished",
        [
          "rule": request.ruleName, "subject": request.subject, "firing_id": request.firingID,
          "result": result,
        ])
      results.append(result)
    }
    return results
  }

  /// Stores each action's result on its alert, while that firing lasts, and on its
  /// transition, with an audit event by the service principal.
  func recordActionResults(_ requests: [AlertActionRequest], _ results: [String])
    async throws(ServiceError)
  {
    guard !requests.isEmpty else { return }
    let events = zip(requests, results).map { request, result in
      serviceAudit(
        "AlertAction", securable: AlertSubject(text: request.subject)?.model,
        [
          ("rule", request.ruleName), ("subject", request.subject),
          ("firing_id", request.firingID), ("result", result),
        ])
    }
    do {
      try await store.write { db in
        for ((request, result), event) in zip(zip(requests, results), events) {
          try db.execute(
            "UPDATE alerts SET action_result = ?, action_done = 1"
              + " WHERE rule_name = ? AND subject = ? AND firing_id = ?",
            .text(result), .text(request.ruleName), .text(request.subject),
            .text(request.firingID))
          try db.execute(
            "UPDATE alert_transitions SET action_result = ? WHERE id = ?", .text(result),
            .integer(request.transitionID))
          try AuditTrail.insert(event, into: db)
        }
      }
    } catch {
      throw storageError(error, "storing alert action results")
    }
  }

  /// Adds the actions of firing alerts that an earlier evaluation stored but whose result it
  /// did not, such as after a crash, unless `requests` has them already.
  static func unfinishedActions(
    besides requests: [AlertActionRequest], in db: Database,
    into list: inout [AlertActionRequest]
  ) throws {
    let started = Set(requests.map(\.firingID))
    let rows = try db.query(
      "SELECT a.rule_name, a.subject, a.action, a.firing_id, a.condition, a.value, a.samples,"
        + " (SELECT MAX(t.id) FROM alert_transitions t WHERE t.firing_id = a.firing_id"
        + " AND t.to_state = ?) FROM alerts a WHERE a.state = ? AND a.action_done = 0",
      .integer(Int64(AlertState.firing.rawValue)), .integer(Int64(AlertState.firing.rawValue)))
    for row in rows {
      guard let rule = row[0].string, let subject = row[1].string,
        let firingID = row[3].string, !started.contains(firingID)
      else { continue }
      list.append(
        AlertActionRequest(
          ruleName: rule, subject: subject,
          action: .init(rawValue: Int32(truncatingIfNeeded: row[2].int64 ?? 0)),
          firingID: firingID, transitionID: row[7].int64 ?? 0,
          reason: reason(
            rule, row[4].string ?? "", subject, row[5].double ?? 0, row[6].int64 ?? 0)))
    }
  }
}
