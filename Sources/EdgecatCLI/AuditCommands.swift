import EdgecatProto

/// `edgecat audit`: the audit events of every service, and the policy decision log.
enum AuditCommands {
  /// The services that serve ListAuditEvents in this version.
  static let auditedServices: [Service] = [.policy, .catalog, .registry, .telemetry]

  static let timeFlags = [
    FlagSpec(
      "start-time", value: "TIME",
      help: "earliest time, inclusive, UTC as YYYY-MM-DD HH:MM:SS[.SSS] or RFC 3339"),
    FlagSpec("end-time", value: "TIME", help: "latest time, exclusive, in the same formats"),
  ]

  /// Returns the value of the time flag `flag` as the services take it, UTC
  /// "YYYY-MM-DD HH:MM:SS.SSS", or "" when the flag is not given. RFC 3339 text is converted,
  /// and text in neither format is a usage error.
  static func serviceTime(_ arguments: ParsedArguments, _ flag: String) throws -> String {
    guard let text = arguments[flag] else { return "" }
    let seconds = try MetricsWindow.time(text, flag: flag)
    let whole = seconds.rounded(.down)
    let milliseconds = min(999, Int(((seconds - whole) * 1000).rounded()))
    let digits = String(milliseconds)
    return TimeText.format(whole) + "." + String(repeating: "0", count: 3 - digits.count) + digits
  }

  static let noun = Noun(
    "audit", "audit events and the decision log (admins only)",
    verbs: [
      Verb(
        "list", "list audit events of every service, merged by time, newest first",
        flags: [
          FlagSpec(
            "service", value: "NAME",
            help: "only this service: \(auditedServices.map(\.rawValue).joined(separator: ", "))"
              + " (default: all of them)"),
          FlagSpec("principal", value: "NAME", help: "only events for this principal"),
          FlagSpec(
            "action", value: "NAME",
            help: "only this action, matched exactly as the ACTION column prints it, such as"
              + " grant (policy) or CreateTable (catalog)"),
          FlagSpec("securable", value: "FULL_NAME", help: "only events on this securable"),
        ] + timeFlags + Paging.flags, run: listEvents),
      Verb(
        "decisions", "list the decision log of Check calls, newest first",
        flags: [
          FlagSpec("principal", value: "NAME", help: "only decisions about this principal"),
          FlagSpec("securable", value: "FULL_NAME", help: "only decisions on this securable"),
          FlagSpec(
            "outcome", value: "allowed|denied", help: "only allowed or only denied decisions"),
          FlagSpec("privilege", value: "NAME", help: "only decisions on this privilege"),
          FlagSpec(
            "caller", value: "NAME",
            help: "only decisions this principal asked for, such as service:catalog"),
        ] + timeFlags + Paging.flags, run: listDecisions),
    ])

  static func listEvents(_ invocation: Invocation) async throws -> CommandOutput {
    let arguments = invocation.arguments
    var services = auditedServices
    if let name = arguments["service"] {
      guard let service = auditedServices.first(where: { $0.rawValue == name }) else {
        throw CLIError.usage(
          "--service \"\(name)\" does not serve audit events; use"
            + " \(auditedServices.map(\.rawValue).joined(separator: " or "))")
      }
      services = [service]
    }
    var events: [Edgecat_Audit_V1_AuditEvent] = []
    for service in services {
      do {
        events += try await Self.events(of: service, invocation)
      } catch let error as CLIError
        where arguments["service"] == nil
        && (error.statusCode == .unavailable || error.statusCode == .unimplemented)
      {
        // Without --service, a service that is not running is left out rather than failing
        // the whole list, and the warning names it.
        invocation.console.writeError("edgecat: warning: left out \(error.message)\n")
      }
    }
    // Each service's page is newest first; merging sorts by time, then by service and id so
    // that equal times print in a stable order.
    events.sort { left, right in
      if left.time != right.time { return left.time > right.time }
      if left.service != right.service { return left.service < right.service }
      return left.eventID > right.eventID
    }
    if let maximum = try arguments.integer("max-results", in: 1...1_000_000) {
      events = Array(events.prefix(maximum))
    }
    return .list(
      events.map(PolicyJSON.auditEvent),
      columns: [
        TableColumn("time"), TableColumn("service"), TableColumn("action"),
        TableColumn("principal"), TableColumn("securable"), TableColumn("result"),
        TableColumn("request_id", header: "REQUEST_ID"),
      ])
  }

  /// Fetches every audit event of one service that matches the flags.
  private static func events(of service: Service, _ invocation: Invocation) async throws
    -> [Edgecat_Audit_V1_AuditEvent]
  {
    let arguments = invocation.arguments
    let startTime = try serviceTime(arguments, "start-time")
    let endTime = try serviceTime(arguments, "end-time")
    return try await Paging.collect(arguments) { size, token in
      var request = Edgecat_Audit_V1_ListAuditEventsRequest()
      request.startTime = startTime
      request.endTime = endTime
      request.principal = arguments["principal"] ?? ""
      request.action = arguments["action"] ?? ""
      request.securable = arguments["securable"] ?? ""
      request.pageSize = size
      request.pageToken = token
      let response: Edgecat_Audit_V1_ListAuditEventsResponse = try await invocation.clients.call(
        service, "ListAuditEvents", request)
      return (response.events, response.nextPageToken)
    }
  }

  static func listDecisions(_ invocation: Invocation) async throws -> CommandOutput {
    let arguments = invocation.arguments
    let outcome: Edgecat_Policy_V1_DecisionOutcome
    switch arguments["outcome"] {
    case nil: outcome = .unspecified
    case "allowed": outcome = .allowed
    case "denied": outcome = .denied
    case let text?:
      throw CLIError.usage("--outcome \"\(text)\" is not an outcome; use allowed or denied")
    }
    let startTime = try serviceTime(arguments, "start-time")
    let endTime = try serviceTime(arguments, "end-time")
    let decisions = try await Paging.collect(arguments) { size, token in
      var request = Edgecat_Policy_V1_ListDecisionsRequest()
      request.startTime = startTime
      request.endTime = endTime
      request.principal = arguments["principal"] ?? ""
      request.securable = arguments["securable"] ?? ""
      request.outcome = outcome
      request.privilege = arguments["privilege"] ?? ""
      request.caller = arguments["caller"] ?? ""
      request.pageSize = size
      request.pageToken = token
      let response: Edgecat_Policy_V1_ListDecisionsResponse = try await invocation.clients.call(
        .policy, "ListDecisions", request)
      return (response.decisions, response.nextPageToken)
    }
    return .list(
      decisions.map(PolicyJSON.decision),
      columns: [
        TableColumn("time"), TableColumn("principal"), TableColumn("privilege"),
        TableColumn("securable"), TableColumn("allowed"), TableColumn("caller"),
      ])
  }
}
