extension Settings {
  /// The agent's own default `--local-token-file`, `<data-dir>/local-token` under its default
  /// `--data-dir`, relative to the folder both programs run in.
  public static let defaultAgentTokenFile = "./var/agent/local-token"

  /// Takes the path of the agent's token file from the first source that sets
  /// `agent-token-file`. The file is read only when a command calls the agent, so a missing
  /// file fails only those commands.
  mutating func resolveAgentTokenFile(_ sources: SettingSources, home: String?) throws {
    guard let file = sources.value("agent-token-file") else { return }
    guard !file.value.isEmpty else {
      throw CLIError.usage(
        "\(file.origin) is empty; set it to the path of the agent's --local-token-file")
    }
    agentTokenFile = expandHome(file.value, home: home)
    agentTokenFileOrigin = file.origin
  }

  /// Names the agent's token file and where its path came from, for error messages.
  var agentTokenFileDescription: String {
    guard let origin = agentTokenFileOrigin else {
      return "the default agent token file \(agentTokenFile)"
    }
    return "\(origin) \(agentTokenFile)"
  }

  /// Reads the agent's local token: the first line of `agentTokenFile`. A missing, unreadable
  /// or empty file is a usage error that names the file and the ways to set it.
  func agentToken(console: Console) throws -> String {
    let ways =
      "pass --agent-token-file with the path of the agent's --local-token-file (default"
      + " <data-dir>/local-token), set EDGECAT_AGENT_TOKEN_FILE, or add agent_token_file to a"
      + " profile"
    let text: String
    do {
      text = try console.readFile(agentTokenFile)
    } catch let error as CLIError {
      // The message ends in glibc's strerror(EACCES) text when the file's mode bars this user,
      // as the mode 0600 the agent creates the file with bars every user but the agent's.
      let fix =
        error.message.hasSuffix("Permission denied")
        ? "run edgecat as a user that can read the file, such as the agent's own user" : ways
      throw CLIError.usage(
        "cannot read the agent's local token from \(agentTokenFileDescription) (\(error.message));"
          + " \(fix)")
    }
    let firstLine = text.split(separator: "\n").first?.trimmingWhitespace() ?? ""
    guard !firstLine.isEmpty else {
      throw CLIError.usage(
        "\(agentTokenFileDescription) is empty, so it contains no local token; \(ways)")
    }
    return firstLine
  }
}
