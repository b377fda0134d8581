/// A command line split into global flags, the command and its arguments.
struct ParsedCommandLine {
  var globals: [String: String] = [:]
  var noun: Noun?
  var verb: Verb?
  var arguments = ParsedArguments()
  var wantsHelp = false
  var wantsVersion = false
  /// The first word of a two-word verb such as `tag` of `tag set`, until the second arrives.
  var verbGroup: String?
}

/// Parses `edgecat [global flags] <noun> <verb> [flags] [arguments]`. Global flags may also
/// follow the noun or verb. `--` ends the flags.
struct CommandLineParser {
  let nouns: [Noun]

  func parse(_ arguments: [String]) throws -> ParsedCommandLine {
    var result = ParsedCommandLine()
    var remaining = arguments[...]
    var flagsEnded = false
    while let argument = remaining.popFirst() {
      if flagsEnded || argument == "-" || !argument.hasPrefix("-") {
        try take(word: argument, into: &result)
        continue
      }
      if argument == "--" {
        flagsEnded = true
        continue
      }
      if argument == "--help" || argument == "-h" {
        result.wantsHelp = true
        return result
      }
      if argument == "--version", result.noun == nil {
        result.wantsVersion = true
        continue
      }
      try take(flag: argument, from: &remaining, into: &result)
    }
    return result
  }

  private func take(word: String, into result: inout ParsedCommandLine) throws {
    guard let noun = result.noun else {
      guard let noun = nouns.first(where: { $0.name == word }) else {
        throw CLIError.usage(
          "unknown command \"\(word)\"; use one of \(nouns.map(\.name).joined(separator: ", "))"
            + " (edgecat --help lists them)")
      }
      result.noun = noun
      result.verb = noun.command
      result.arguments.commandName = "edgecat \(noun.name)"
      return
    }
    // A noun with its own command, such as `metrics`, takes a verb only as its first word.
    let startsVerb =
      result.verb != nil && noun.command != nil && !noun.verbs.isEmpty
      && result.arguments.positionals.isEmpty && result.arguments.flagValues.isEmpty
      && noun.verbs.contains { $0.name == word || $0.name.hasPrefix(word + " ") }
    guard (result.verb != nil && !startsVerb) || noun.missingService != nil else {
      try take(verb: word, of: noun, into: &result)
      return
    }
    result.arguments.positionals.append(word)
  }

  /// Takes a verb's name, or the first word of a two-word verb such as `tag set`.
  private func take(verb word: String, of noun: Noun, into result: inout ParsedCommandLine)
    throws
  {
    let name = result.verbGroup.map { "\($0) \(word)" } ?? word
    if let verb = noun.verbs.first(where: { $0.name == name }) {
      result.verb = verb
      result.verbGroup = nil
      result.arguments.commandName = "edgecat \(noun.name) \(verb.name)"
      return
    }
    if result.verbGroup == nil, noun.verbs.contains(where: { $0.name.hasPrefix(word + " ") }) {
      result.verb = nil
      result.verbGroup = word
      result.arguments.commandName = "edgecat \(noun.name) \(word)"
      return
    }
    let choices = noun.verbs.map(\.name).filter { name in
      result.verbGroup.map { name.hasPrefix($0 + " ") } ?? true
    }
    throw CLIError.usage(
      "unknown verb \"\(name)\" for edgecat \(noun.name); use one of"
        + " \(choices.joined(separator: ", "))")
  }

  /// Takes `--name VALUE`, `--name=VALUE`, a switch or `-x VALUE`, global or the verb's.
  private func take(
    flag argument: String, from remaining: inout ArraySlice<String>,
    into result: inout ParsedCommandLine
  ) throws {
    var name = String(argument.drop { $0 == "-" })
    var inlineValue: String?
    if let equals = name.firstIndex(of: "=") {
      inlineValue = String(name[name.index(after: equals)...])
      name = String(name[..<equals])
    }
    let command = result.arguments.commandName
    if !argument.hasPrefix("--") {
      guard name.count == 1,
        let spec = result.verb?.flags.first(where: { $0.short == name.first })
      else {
        throw CLIError.usage("unknown flag \(argument) for \(command); run \(command) --help")
      }
      name = spec.name
    }
    if let global = GlobalFlag.named(name) {
      guard result.globals[global.name] == nil else {
        throw CLIError.usage("--\(name) was given twice; give it once")
      }
      result.globals[global.name] = try value(
        of: name, inline: inlineValue, from: &remaining)
      return
    }
    guard let spec = result.verb?.flags.first(where: { $0.name == name }) else {
      let hint = result.verb == nil ? "edgecat --help" : "\(command) --help"
      throw CLIError.usage("unknown flag --\(name) for \(command); run \(hint) for the flags")
    }
    guard spec.repeatable || !result.arguments.has(spec.name) else {
      throw CLIError.usage("--\(name) was given twice; give it once")
    }
    guard spec.valueName != nil else {
      guard inlineValue == nil else {
        throw CLIError.usage("--\(name) is a switch and takes no value; drop =\(inlineValue!)")
      }
      result.arguments.flagValues[spec.name] = [""]
      return
    }
    let text = try value(of: name, inline: inlineValue, from: &remaining)
    result.arguments.flagValues[spec.name, default: []].append(text)
  }

  private func value(
    of name: String, inline: String?, from remaining: inout ArraySlice<String>
  ) throws -> String {
    if let inline { return inline }
    guard let next = remaining.popFirst() else {
      throw CLIError.usage("--\(name) needs a value; see --help for its format")
    }
    return next
  }
}
