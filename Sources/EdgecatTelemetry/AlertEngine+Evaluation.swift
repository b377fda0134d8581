import EdgecatCore
import EdgecatProto
import EdgecatStore

extension AlertEngine {
  /// Evaluates every enabled rule once against `inputs`, stores and audits each transition,
  /// runs the actions of alerts that start firing, and returns the transitions and the alerts
  /// that are not inactive. An alert of a disabled rule moves as if its condition were gone.
  /// Actions that an earlier evaluation started but did not finish, such as after a crash,
  /// run again with their firing id. Evaluations run one at a time.
  public func evaluate(_ inputs: AlertInputs) async throws(ServiceError)
    -> Edgecat_Telemetry_V1_EvaluateAlertsResponse
  {
    try await evaluations.run { () async throws(ServiceError) in
      let now = clock()
      let judged = try await measureRules(inputs, now: now)
      let outcome: AlertEvaluationOutcome
      do {
        outcome = try await store.write { db in
          var outcome = AlertEvaluationOutcome()
          for (rule, measurements) in judged {
            try self.apply(rule, measurements, now: now, to: &outcome, in: db)
          }
          try Self.unfinishedActions(besides: outcome.actions, in: db, into: &outcome.actions)
          return outcome
        }
      } catch {
        throw storageError(error, "storing alert transitions")
      }

      // The transitions are stored, so watchers get them even when storing a result fails.
      var transitions = outcome.transitions
      let results = await runActions(outcome.actions)
      let resultByTransition = Dictionary(
        zip(outcome.actions.map(\.transitionID), results), uniquingKeysWith: { first, _ in first })
      for index in transitions.indices {
        if let result = resultByTransition[transitions[index].transitionID] {
          transitions[index].actionResult = result
        }
      }
      watchers.publish(transitions)
      if !transitions.isEmpty {
        logger.info("alert transitions stored", ["transitions": transitions.count])
      }
      try await recordActionResults(outcome.actions, results)

      var response = Edgecat_Telemetry_V1_EvaluateAlertsResponse()
      response.transitions = transitions
      response.alerts = try await activeAlerts()
      return response
    }
  }

  /// Reads every rule and, for each enabled one, its measurements from one snapshot. A
  /// disabled rule comes with nil.
  private func measureRules(_ inputs: AlertInputs, now: Double) async throws(ServiceError)
    -> [(AlertRule, [AlertMeasurement]?)]
  {
    do {
      return try await store.read { db in
        let rules = try db.query(
          "SELECT \(AlertRows.ruleColumns) FROM alert_rules ORDER BY name"
        ).map(AlertRows.rule)
        return try rules.map { rule in
          guard rule.enabled else { return (rule, nil) }
          return (rule, try AlertMeasurements.measure(rule, inputs: inputs, now: now, in: db))
        }
      }
    } catch {
      throw storageError(error, "computing alert metrics")
    }
  }

  /// Returns every alert that is not inactive, newest change first.
  private func activeAlerts() async throws(ServiceError) -> [Alert] {
    do {
      return try await store.read { db in
        try db.query(
          "SELECT \(AlertRows.alertColumns) FROM alerts WHERE state != ?"
            + " ORDER BY since DESC, rowid DESC",
          .integer(Int64(AlertState.inactive.rawValue))
        ).map { AlertRows.alert($0) }
      }
    } catch {
      throw storageError(error, "listing alerts")
    }
  }
}

/// The transitions one evaluation stored, in id order, and the actions it runs.
struct AlertEvaluationOutcome: Sendable {
  var transitions: [AlertTransition] = []
  var actions: [AlertActionRequest] = []
}

/// One action to run for a firing alert.
struct AlertActionRequest: Sendable {
  let ruleName: String
  let subject: String
  let action: Edgecat_Telemetry_V1_AlertAction
  let firingID: String
  /// The transition to firing, which gets the action's result.
  let transitionID: Int64
  let reason: String
}
