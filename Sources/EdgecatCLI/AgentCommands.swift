import EdgecatProto
import EdgecatRPC

/// `edgecat agent`: the local service of the edge agent on this device, for the records and
/// labels telemetry rejected that the agent keeps in quarantine.
enum AgentCommands {
  static let details =
    Help.wrap(
      "The command calls edgecat-agent at --agent-endpoint (default: 127.0.0.1:7410, the"
        + " agent's --listen) with the token in --agent-token-file (default:"
        + " \(Settings.defaultAgentTokenFile), the agent's default --local-token-file)."
        + " EDGECAT_AGENT_ENDPOINT, EDGECAT_AGENT_TOKEN_FILE and the profile keys agent_endpoint"
        + " and agent_token_file set them too.", width: 100
    ).joined(separator: "\n") + "\n"

  static let noun = Noun(
    "agent", "the quarantine of the edge agent on this device",
    verbs: [
      Verb(
        "quarantine list",
        "list the records and labels telemetry rejected, which the agent keeps in quarantine:"
          + " records by seq, then labels by id",
        flags: Paging.flags, details: details
      ) { invocation in
        let entries = try await Paging.collect(invocation.arguments) { size, token in
          var request = Edgecat_Agent_V1_ListQuarantinedRequest()
          request.pageSize = size
          request.pageToken = token
          let response: Edgecat_Agent_V1_ListQuarantinedResponse = try await invocation.callAgent(
            "ListQuarantined", request)
          let entries =
            response.records.map(QuarantineJSON.record) + response.labels.map(QuarantineJSON.label)
          return (entries, response.nextPageToken)
        }
        return .list(entries, columns: QuarantineJSON.columns)
      },
      Verb(
        "quarantine resend",
        "move quarantined entries back to the pending queue, so that the agent sends them to"
          + " telemetry again; an entry rejected again returns to quarantine",
        arguments: [QuarantineEntries.idArgument], flags: [QuarantineEntries.allFlag("resend")],
        details: details
      ) { invocation in
        let entries = try QuarantineEntries(invocation.arguments)
        var request = Edgecat_Agent_V1_ResendQuarantinedRequest()
        (request.all, request.seqs, request.labelIds) =
          (entries.all, entries.seqs, entries.labelIDs)
        let response: Edgecat_Agent_V1_ResendQuarantinedResponse = try await hintingList {
          try await invocation.callAgent("ResendQuarantined", request)
        }
        return .message(
          .object([("records", .integer(response.records)), ("labels", .integer(response.labels))]),
          text: "moved \(count(response.records, "record")) and"
            + " \(count(response.labels, "label")) back to the pending queue")
      },
      Verb(
        "quarantine discard",
        "delete quarantined entries for good, which frees their bytes under the agent's"
          + " --spool-max-bytes",
        arguments: [QuarantineEntries.idArgument],
        flags: [
          QuarantineEntries.allFlag("discard"),
          .toggle(
            "force",
            help: "confirm --all, which deletes every entry, including ones quarantined after"
              + " the last list"),
        ],
        details: details
      ) { invocation in
        let entries = try QuarantineEntries(invocation.arguments)
        if entries.all && !invocation.arguments.has("force") {
          throw CLIError.usage(
            "\(invocation.arguments.commandName) --all deletes every quarantined record and"
              + " label for good; add --force to confirm, or name the IDs to discard")
        }
        var request = Edgecat_Agent_V1_DiscardQuarantinedRequest()
        (request.all, request.seqs, request.labelIds) =
          (entries.all, entries.seqs, entries.labelIDs)
        let response: Edgecat_Agent_V1_DiscardQuarantinedResponse = try await hintingList {
          try await invocation.callAgent("DiscardQuarantined", request)
        }
        return .message(
          .object([
            ("records", .integer(response.records)), ("labels", .integer(response.labels)),
            ("bytes", .integer(response.bytes)),
          ]),
          text: "discarded \(count(response.records, "record")) and"
            + " \(count(response.labels, "label")), freeing \(response.bytes) bytes of the spool")
      },
    ])

  /// Runs `call` and adds the list command to a NOT_FOUND, whose message names the seqs and
  /// ids that are not in quarantine.
  private static func hintingList<Response>(_ call: () async throws -> Response) async throws
    -> Response
  {
    do {
      return try await call()
    } catch var error as CLIError where error.statusCode == .notFound {
      error.message +=
        "; run edgecat agent quarantine list for the IDs in quarantine (record:SEQ, label:ID)"
      throw error
    }
  }

  /// Returns "1 record" or "2 records".
  private static func count(_ value: Int64, _ noun: String) -> String {
    "\(value) \(noun)\(value == 1 ? "" : "s")"
  }
}
