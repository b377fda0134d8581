import EdgecatProto

/// `edgecat alert`: current alerts, their transitions and rules, and evaluation on demand.
enum AlertCommands {
  static let alertColumns = [
    TableColumn("severity"), TableColumn("rule_name", header: "ALERT"), TableColumn("subject"),
    TableColumn("condition"), TableColumn("value", format: NumberText.column(digits: 3)),
    TableColumn("action"), TableColumn("state"), TableColumn("since"),
  ]
  static let transitionColumns = [
    TableColumn("transition_id", header: "ID"), TableColumn("at"),
    TableColumn("rule_name", header: "ALERT"), TableColumn("subject"),
    TableColumn("from_state", header: "FROM"), TableColumn("to_state", header: "TO"),
    TableColumn("value", format: NumberText.column(digits: 3)), TableColumn("severity"),
    TableColumn("action_result", header: "ACTION_RESULT"),
  ]

  static let noun = Noun(
    "alert", "alerts, their transitions and their rules",
    verbs: [
      Verb(
        "list", "list current alerts, newest change first",
        flags: [
          FlagSpec(
            "state", value: "STATE", repeatable: true,
            help:
              "only alerts in this state: \(protoEnumNames(Edgecat_Telemetry_V1_AlertState.self).joined(separator: ", "))"
              + " (default: every state but inactive)")
        ] + Paging.flags, run: list),
      Verb(
        "transitions", "list stored state changes of alerts, newest first",
        flags: [
          FlagSpec("rule", value: "NAME", help: "only changes of this rule's alerts"),
          FlagSpec(
            "subject", value: "SUBJECT",
            help: "only changes about this device id or model version, such as main.ml.m/3"),
        ] + Paging.flags, run: transitions),
      Verb(
        "evaluate",
        "evaluate every enabled rule now and show the changes and the alerts"
          + " (admins only)"
      ) { invocation in
        let response: Edgecat_Telemetry_V1_EvaluateAlertsResponse = try await invocation.clients
          .call(.telemetry, "EvaluateAlerts", Edgecat_Telemetry_V1_EvaluateAlertsRequest())
        return .record(
          .object([
            ("transitions", .array(response.transitions.map(TelemetryJSON.transition))),
            ("alerts", .array(response.alerts.map(TelemetryJSON.alert))),
          ]))
      },
      Verb(
        "watch",
        "print alert state changes as they are stored, until interrupted or --max-transitions",
        flags: [
          FlagSpec(
            "after", value: "TRANSITION_ID",
            help: "first print the stored changes after this id (default: only new ones)"),
          FlagSpec("max-transitions", value: "N", help: "stop after N changes"),
        ],
        details: "With --output json, each change is one JSON object on its own line.",
        run: AlertWatch.run),
    ] + AlertRuleCommands.verbs)

  static func list(_ invocation: Invocation) async throws -> CommandOutput {
    let arguments = invocation.arguments
    let states = try arguments.all("state").map { text in
      guard let state = protoEnumValue(text, as: Edgecat_Telemetry_V1_AlertState.self) else {
        throw CLIError.usage(
          "--state \"\(text)\" is not an alert state; use one of"
            + " \(protoEnumNames(Edgecat_Telemetry_V1_AlertState.self).joined(separator: ", "))")
      }
      return state
    }
    let alerts = try await Paging.collect(arguments) { size, token in
      var request = Edgecat_Telemetry_V1_ListAlertsRequest()
      request.states = states
      request.pageSize = size
      request.pageToken = token
      let response: Edgecat_Telemetry_V1_ListAlertsResponse = try await invocation.clients.call(
        .telemetry, "ListAlerts", request)
      return (response.alerts, response.nextPageToken)
    }
    return .list(alerts.map(TelemetryJSON.alert), columns: alertColumns)
  }

  static func transitions(_ invocation: Invocation) async throws -> CommandOutput {
    let arguments = invocation.arguments
    let transitions = try await Paging.collect(arguments) { size, token in
      var request = Edgecat_Telemetry_V1_ListAlertTransitionsRequest()
      request.ruleName = arguments["rule"] ?? ""
      request.subject = arguments["subject"] ?? ""
      request.pageSize = size
      request.pageToken = token
      let response: Edgecat_Telemetry_V1_ListAlertTransitionsResponse =
        try await invocation
        .clients.call(.telemetry, "ListAlertTransitions", request)
      return (response.transitions, response.nextPageToken)
    }
    return .list(transitions.map(TelemetryJSON.transition), columns: transitionColumns)
  }
}
