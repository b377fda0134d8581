import EdgecatProto

/// `edgecat deployment create`: the target, the selector and the roll-out strategy.
enum DeploymentCreate {
  static let flags =
    [
      FlagSpec("version", value: "N", help: "deploy this READY version"),
      FlagSpec("alias", value: "ALIAS", help: "deploy this alias, resolved again at each stage"),
    ] + DeploymentCommands.selectorFlags + [
      .toggle("staged", help: "roll out in stages (default: every selected device at once)"),
      FlagSpec(
        "stages", value: "PERCENTS",
        help: "with --staged: cumulative percentages of the devices per stage, increasing and"
          + " ending at 100, such as 10,50,100 (default: the registry's, 10,50,100)"),
      FlagSpec(
        "soak-seconds", value: "SECONDS",
        help: "with --staged: seconds to wait after a stage before the next (default: the"
          + " registry's, 60)"),
      FlagSpec(
        "stage-timeout-seconds", value: "SECONDS",
        help: "seconds a device has to report the new version running before it counts as"
          + " failed (default: the registry's, 600)"),
      FlagSpec(
        "error-threshold-percent", value: "PERCENT",
        help: "percentage of a stage's devices that may fail before the roll-out halts, 0 to"
          + " 100 (default: the registry's, 20)"),
    ]

  static let details = """
    Give --version or --alias. No selector flag selects every registered device.
    example:
      edgecat deployment create main.ml.defects --alias champion --group plant-3 --staged \\
        --stages 10,50,100 --soak-seconds 120
    """

  static func run(_ invocation: Invocation) async throws -> CommandOutput {
    let arguments = invocation.arguments
    var request = Edgecat_Registry_V1_CreateDeploymentRequest()
    request.modelFullName = try ModelCommands.modelName(arguments.positionals[0])
    switch (arguments["version"], arguments["alias"]) {
    case (let text?, nil):
      guard let version = Int64(text), version > 0 else {
        throw CLIError.usage("--version \"\(text)\" is invalid; use a version number from 1")
      }
      request.version = version
    case (nil, let alias?):
      request.alias = alias
    default:
      throw CLIError.usage(
        "edgecat deployment create needs --version N or --alias ALIAS, one of them")
    }
    request.selector = try DeploymentCommands.selector(arguments)
    request.strategy = try strategy(arguments)
    let deployment: Edgecat_Registry_V1_Deployment = try await invocation.clients.call(
      .registry, "CreateDeployment", request)
    return .record(RegistryJSON.deployment(deployment))
  }

  /// Builds the strategy of the flags: one stage of 100% without `--staged`, else the given
  /// stages or the registry's. Unset fields take the registry's defaults.
  static func strategy(_ arguments: ParsedArguments) throws -> Edgecat_Registry_V1_RolloutStrategy {
    var strategy = Edgecat_Registry_V1_RolloutStrategy()
    let staged = arguments.has("staged")
    for flag in ["stages", "soak-seconds"] where arguments.has(flag) && !staged {
      throw CLIError.usage("--\(flag) needs --staged; add --staged or drop --\(flag)")
    }
    if staged, let text = arguments["stages"] {
      strategy.stagePercents = try stages(text)
    } else if !staged {
      strategy.stagePercents = [100]
    }
    if let seconds = try arguments.integer("soak-seconds", in: 1...86_400 * 30) {
      strategy.soakMs = Int64(seconds) * 1000
    }
    if let seconds = try arguments.integer("stage-timeout-seconds", in: 1...86_400 * 30) {
      strategy.stageTimeoutMs = Int64(seconds) * 1000
    }
    if let text = arguments["error-threshold-percent"] {
      guard let percent = Double(text), (0...100).contains(percent) else {
        throw CLIError.usage(
          "--error-threshold-percent \"\(text)\" is invalid; use a number from 0 to 100")
      }
      strategy.errorThresholdPercent = percent
    }
    return strategy
  }

  /// Parses `10,50,100`: increasing percentages from 1 to 100 that end at 100.
  static func stages(_ text: String) throws -> [Int32] {
    let invalid = CLIError.usage(
      "--stages \"\(text)\" is invalid; use increasing percentages from 1 to 100 that end at"
        + " 100, such as 10,50,100")
    var percents: [Int32] = []
    for part in text.split(separator: ",", omittingEmptySubsequences: false) {
      guard let percent = Int32(part.trimmingPrefix(" ")), (1...100).contains(percent),
        percent > (percents.last ?? 0)
      else { throw invalid }
      percents.append(percent)
    }
    guard percents.last == 100 else { throw invalid }
    return percents
  }
}
