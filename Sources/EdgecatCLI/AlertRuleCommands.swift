import EdgecatProto

/// `edgecat alert rules list|get|create|update|delete`: alert rules, which are data.
enum AlertRuleCommands {
  static let listColumns = [
    TableColumn("name"), TableColumn("metric"), TableColumn("scope"),
    TableColumn("description", header: "CONDITION"),
    TableColumn("window_seconds", header: "WINDOW_S"), TableColumn("min_samples", header: "MIN_N"),
    TableColumn("for_seconds", header: "FOR_S"), TableColumn("severity"), TableColumn("action"),
    TableColumn("enabled"),
  ]
  static let nameArgument = ArgumentSpec(
    "NAME", help: "rule name: 1 to 255 letters, digits, _, - or spaces")

  static let ruleFlags = [
    enumFlag("metric", Edgecat_Telemetry_V1_AlertMetric.self, help: "metric the rule watches"),
    enumFlag("scope", Edgecat_Telemetry_V1_AlertScope.self, help: "what one alert is about"),
    enumFlag(
      "condition", Edgecat_Telemetry_V1_AlertCondition.self,
      help: "how the metric compares with --threshold"),
    FlagSpec(
      "threshold", value: "NUMBER",
      help: "value in the metric's unit: a fraction for accuracy, milliseconds for p99 latency,"
        + " seconds for offline"),
    FlagSpec("window-seconds", value: "SECONDS", help: "the metric's window, in seconds"),
    FlagSpec(
      "min-samples", value: "N",
      help: "minimum number of records (labelled records for accuracy) in the window to judge"),
    FlagSpec(
      "for-seconds", value: "SECONDS",
      help: "seconds the condition holds before the alert fires (0 fires at once)"),
    enumFlag("severity", Edgecat_Telemetry_V1_AlertSeverity.self, help: "severity of its alerts"),
    enumFlag("action", Edgecat_Telemetry_V1_AlertAction.self, help: "what firing does"),
    FlagSpec("description", value: "TEXT", help: "condition for people, such as \"p99 > 50 ms\""),
    FlagSpec("enabled", value: "BOOL", help: "true to evaluate the rule, false to keep it idle"),
  ]

  static let verbs = [
    Verb("rules list", "list alert rules by name", flags: Paging.flags) { invocation in
      let rules = try await Paging.collect(invocation.arguments) { size, token in
        var request = Edgecat_Telemetry_V1_ListAlertRulesRequest()
        request.pageSize = size
        request.pageToken = token
        let response: Edgecat_Telemetry_V1_ListAlertRulesResponse = try await invocation.clients
          .call(.telemetry, "ListAlertRules", request)
        return (response.rules, response.nextPageToken)
      }
      return .list(rules.map(TelemetryJSON.rule), columns: listColumns)
    },
    Verb("rules get", "show one alert rule", arguments: [nameArgument]) { invocation in
      var request = Edgecat_Telemetry_V1_GetAlertRuleRequest()
      request.name = invocation.arguments.positionals[0]
      let rule: Edgecat_Telemetry_V1_AlertRule = try await invocation.clients.call(
        .telemetry, "GetAlertRule", request)
      return .record(TelemetryJSON.rule(rule))
    },
    Verb(
      "rules create", "create an alert rule (admins only); it is enabled unless --enabled false",
      arguments: [nameArgument], flags: ruleFlags,
      details: """
        example:
          edgecat alert rules create "p99 latency" --metric p99_latency --scope device \\
            --condition above --threshold 50 --window-seconds 900 --min-samples 100 \\
            --severity warning --action notify --description "p99 > 50 ms"
        """
    ) { invocation in
      let arguments = invocation.arguments
      var rule = try rule(arguments)
      // The service rejects a rule without these, naming proto fields rather than flags.
      for flag in ["metric", "condition", "threshold", "severity", "action"]
      where !arguments.has(flag) {
        throw CLIError.usage("\(arguments.commandName) needs --\(flag); run it with --help")
      }
      var request = Edgecat_Telemetry_V1_CreateAlertRuleRequest()
      if !arguments.has("enabled") { rule.enabled = true }
      request.rule = rule
      let created: Edgecat_Telemetry_V1_AlertRule = try await invocation.clients.call(
        .telemetry, "CreateAlertRule", request)
      return .record(TelemetryJSON.rule(created))
    },
    Verb(
      "rules update", "change the given fields of an alert rule (admins only)",
      arguments: [nameArgument], flags: ruleFlags
    ) { invocation in
      let arguments = invocation.arguments
      var request = Edgecat_Telemetry_V1_UpdateAlertRuleRequest()
      request.rule = try rule(arguments)
      request.updateMask = try NameArguments.updateMask(
        arguments,
        fields: [
          "metric": "metric", "scope": "scope", "condition": "condition",
          "threshold": "threshold", "window_seconds": "window-seconds",
          "min_samples": "min-samples", "for_seconds": "for-seconds", "severity": "severity",
          "action": "action", "description": "description", "enabled": "enabled",
        ])
      let updated: Edgecat_Telemetry_V1_AlertRule = try await invocation.clients.call(
        .telemetry, "UpdateAlertRule", request)
      return .record(TelemetryJSON.rule(updated))
    },
    Verb("rules delete", "delete an alert rule (admins only)", arguments: [nameArgument]) {
      invocation in
      var request = Edgecat_Telemetry_V1_DeleteAlertRuleRequest()
      request.name = invocation.arguments.positionals[0]
      let _: Edgecat_Telemetry_V1_DeleteAlertRuleResponse = try await invocation.clients.call(
        .telemetry, "DeleteAlertRule", request)
      return .message(
        .object([("deleted", .string(request.name))]), text: "deleted rule \(request.name)")
    },
  ]
}
