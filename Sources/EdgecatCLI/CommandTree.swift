/// A flag of one verb, such as `--comment TEXT` or the switch `--force`.
public struct FlagSpec: Sendable {
  public let name: String
  /// A one-letter alias such as `e` for `-e`.
  public let short: Character?
  /// What the value looks like in help text; nil for a switch, which takes no value.
  public let valueName: String?
  public let help: String
  public let repeatable: Bool

  public init(
    _ name: String, short: Character? = nil, value valueName: String?, repeatable: Bool = false,
    help: String
  ) {
    self.name = name
    self.short = short
    self.valueName = valueName
    self.help = help
    self.repeatable = repeatable
  }

  /// A switch: present or not.
  public static func toggle(_ name: String, help: String) -> FlagSpec {
    FlagSpec(name, value: nil, help: help)
  }
}

/// A positional argument of one verb, such as the `NAME` of `catalog create NAME`.
public struct ArgumentSpec: Sendable {
  public let name: String
  public let help: String
  public let isOptional: Bool
  /// Takes every remaining argument; only the last argument may.
  public let isVariadic: Bool

  public init(_ name: String, optional: Bool = false, variadic: Bool = false, help: String) {
    self.name = name
    self.help = help
    self.isOptional = optional
    self.isVariadic = variadic
  }
}

/// One command: a noun's verb, or a noun such as `check` that takes no verb. A verb's name
/// may have two words, such as `tag set`, for verbs grouped under a sub-noun.
public struct Verb: Sendable {
  public let name: String
  public let summary: String
  public let arguments: [ArgumentSpec]
  public let flags: [FlagSpec]
  /// Extra help text after the flags, such as examples.
  public let details: String
  public let run: @Sendable (Invocation) async throws -> CommandOutput

  public init(
    _ name: String, _ summary: String, arguments: [ArgumentSpec] = [], flags: [FlagSpec] = [],
    details: String = "", run: @escaping @Sendable (Invocation) async throws -> CommandOutput
  ) {
    self.name = name
    self.summary = summary
    self.arguments = arguments
    self.flags = flags
    self.details = details
    self.run = run
  }
}

/// A noun of `edgecat <noun> <verb>`: a kind of thing the services keep.
public struct Noun: Sendable {
  public let name: String
  public let summary: String
  public let verbs: [Verb]
  /// The command of a noun that takes no verb, such as `check`, or that runs when no verb
  /// follows, such as `metrics`.
  public let command: Verb?
  /// The service a noun needs that this version does not include; nil for nouns that run.
  public let missingService: Service?

  public init(_ name: String, _ summary: String, verbs: [Verb]) {
    self.name = name
    self.summary = summary
    self.verbs = verbs
    self.command = nil
    self.missingService = nil
  }

  public init(_ name: String, _ summary: String, command: Verb) {
    self.name = name
    self.summary = summary
    self.verbs = []
    self.command = command
    self.missingService = nil
  }

  /// A noun that runs `command` unless one of `verbs` follows it, such as `metrics` and
  /// `metrics daily`.
  public init(_ name: String, _ summary: String, command: Verb, verbs: [Verb]) {
    self.name = name
    self.summary = summary
    self.verbs = verbs
    self.command = command
    self.missingService = nil
  }

  /// A noun whose service this version does not include; running it fails saying so.
  public init(planned name: String, _ summary: String, service: Service) {
    self.name = name
    self.summary = summary
    self.verbs = []
    self.command = nil
    self.missingService = service
  }
}
