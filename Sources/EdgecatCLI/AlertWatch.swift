import EdgecatProto

/// `edgecat alert watch`: follows WatchAlerts and prints each transition as it arrives.
enum AlertWatch {
  static func run(_ invocation: Invocation) async throws -> CommandOutput {
    let arguments = invocation.arguments
    var request = Edgecat_Telemetry_V1_WatchAlertsRequest()
    request.afterTransitionID = Int64(try arguments.integer("after", in: 0...Int(Int64.max)) ?? 0)
    let maximum = try arguments.integer("max-transitions", in: 1...1_000_000)
    let json = invocation.settings.output == .json
    let console = invocation.console

    // A watch runs until it is interrupted, so it has no deadline.
    let call:
      StreamingCall<Edgecat_Telemetry_V1_WatchAlertsRequest, Edgecat_Telemetry_V1_AlertTransition> =
        try invocation.clients.stream(.telemetry, "WatchAlerts", timeout: nil)
    try await call.send(request)
    call.closeSend()
    var printed = 0
    var lastID = request.afterTransitionID
    do {
      try await call.forEachResponse { transition in
        lastID = max(lastID, transition.transitionID)
        let value = TelemetryJSON.transition(transition)
        if json {
          console.writeOutput(compact(value) + "\n")
        } else {
          console.writeOutput(line(transition) + "\n")
        }
        printed += 1
        if let maximum, printed >= maximum { throw StopWatching() }
      }
    } catch is StopWatching {
      call.cancel()
    } catch var error as CLIError where lastID > 0 {
      // Telemetry stores every transition, so a watch started again after the last one
      // printed misses none of those stored while this one was down.
      error.message +=
        "; run edgecat alert watch --after \(lastID) to continue after the last change printed"
      throw error
    }
    return .printed(exitCode: 0)
  }

  /// The end of a watch after `--max-transitions` changes.
  private struct StopWatching: Error {}

  /// Formats one change for people, such as
  /// `2026-05-01 12:00:03  p99-latency  cam-1  PENDING -> FIRING  value=62.400  WARNING`.
  static func line(_ transition: Edgecat_Telemetry_V1_AlertTransition) -> String {
    var text = "\(transition.at)  \(transition.ruleName)  \(transition.subject)  "
    text += "\(protoEnumName(transition.fromState)) -> \(protoEnumName(transition.toState))"
    text += "  value=\(NumberText.fixed(transition.value, digits: 3))"
    text += "  \(protoEnumName(transition.severity))"
    if !transition.actionResult.isEmpty { text += "  \(transition.actionResult)" }
    return text
  }

  /// Serializes the value as JSON on one line. String contents never hold a raw line break, because
  /// they are escaped, so joining the indented lines keeps the document intact.
  static func compact(_ value: JSONValue) -> String {
    value.serialized().split(separator: "\n").map { $0.drop { $0 == " " } }.joined()
  }
}
